# Build: Maven on JDK 17
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Run: a JRE only, as a non-root user
FROM eclipse-temurin:17-jre
RUN groupadd --gid 10001 rewind && useradd --uid 10001 --gid 10001 --no-create-home rewind \
    && mkdir -p /var/lib/rewind && chown rewind:rewind /var/lib/rewind
WORKDIR /app
COPY --from=build /src/target/rewind.jar /app/rewind.jar
USER 10001:10001
ENV PORT=3000 DATABASE_URL=jdbc:h2:file:/var/lib/rewind/rewind
EXPOSE 3000
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/app/rewind.jar"]
