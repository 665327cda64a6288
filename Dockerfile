# Base images are pinned to exact versions (never a moving tag such as latest or 17-jre), so a
# rebuild of the same commit gets the same JDK; bump them on purpose.
ARG MAVEN_IMAGE=maven:3.9.9-eclipse-temurin-17
ARG JRE_IMAGE=eclipse-temurin:17.0.13_11-jre-jammy

# Build: Maven on JDK 17
FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Run: a JRE only, as a non-root user
FROM ${JRE_IMAGE}
ARG JRE_IMAGE
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Rewind" \
      org.opencontainers.image.description="Slack ChatOps bot that rolls back bad deployments" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="${JRE_IMAGE}"
RUN groupadd --gid 10001 rewind && useradd --uid 10001 --gid 10001 --no-create-home rewind \
    && mkdir -p /var/lib/rewind && chown rewind:rewind /var/lib/rewind
WORKDIR /app
COPY --from=build /src/target/rewind.jar /app/rewind.jar
# Class-data sharing: a training run starts Rewind on the example catalogue (no Slack, no cluster), answers a
# probe and a scrape, stops, and the JVM writes the ~9,000 classes it loaded to /app/rewind.jsa. Every start
# of the image maps that archive instead of finding, verifying and parsing those classes again: about half the
# start-up time (StartupBench in the README). It is tied to this JDK and this jar; a JVM that cannot use it
# says so once and starts without it. The flags here must match the ENTRYPOINT's (StartupBench reads both).
COPY rewind.example.yml /tmp/train/rewind.yml
RUN cd /tmp/train && DATABASE_URL=jdbc:h2:file:/tmp/train/db java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -XX:ArchiveClassesAtExit=/app/rewind.jsa -jar /app/rewind.jar --exit-after-start \
    && rm -rf /tmp/train
USER 10001:10001
ENV PORT=3000 DATABASE_URL=jdbc:h2:file:/var/lib/rewind/rewind
EXPOSE 3000
# No HEALTHCHECK: Kubernetes ignores it; the startup, readiness and liveness probes on /healthz and
# /readyz (manifests/base/deployment.yaml) do that job.
# ExitOnOutOfMemoryError: a JVM that ran out of heap is in an unknown state (a thread may have died
# holding a run's lease); exiting lets Kubernetes restart it and another replica take the run over.
# UseSerialGC and TieredStopAtLevel=1 (the C1 compiler only) suit a bot that answers a few requests a second
# from a small heap: no concurrent collector's bookkeeping, no C2 compiler threads and arenas, about 60 MB less
# resident memory and a faster start; Slack's 3-second ack is milliseconds away either way (README, Benchmarks).
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=75", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:SharedArchiveFile=/app/rewind.jsa", "-jar", "/app/rewind.jar"]
