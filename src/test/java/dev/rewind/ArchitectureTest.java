package dev.rewind;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The domain knows nothing of Slack, HTTP, Kubernetes or the database; arrows point inward, never in a circle. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.rewind");

    private static final String[] DOMAIN = {"dev.rewind.assess..", "dev.rewind.rollback..", "dev.rewind.incident..",
            "dev.rewind.signals", "dev.rewind.config..", "dev.rewind.alerts..", "dev.rewind.stats..", "dev.rewind.readiness..", "dev.rewind.guard..", "dev.rewind.drill.."};

    /** What the bot's edges are: each may use the domain, the domain may use none of them. */
    private static final String[] EDGES = {"dev.rewind.slack..", "dev.rewind.web..", "dev.rewind.store..",
            "dev.rewind.github..", "dev.rewind.signals.prometheus.."};

    @Test
    void noPackageCycles() {
        slices().matching("dev.rewind.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void noCyclesBetweenAdapters() {
        slices().matching("dev.rewind.adapter.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void domainImportsNoSlackJavalinFabric8OrJdbi() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage("com.slack..", "io.javalin..", "io.fabric8..",
                        "org.jdbi..", "org.flywaydb..", "org.apache.sshd..")
                .check(CLASSES);
    }

    @Test
    void adapterInterfaceIsFreeOfVendorClients() {
        noClasses().that().resideInAPackage("dev.rewind.adapter")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "com.slack..", "io.javalin..",
                        "org.apache.sshd..")
                .check(CLASSES);
    }

    @Test
    void domainDoesNotReachIntoTheEdges() {
        noClasses().that().resideInAnyPackage(DOMAIN)
                .should().dependOnClassesThat().resideInAnyPackage(EDGES)
                .orShould().dependOnClassesThat().resideInAPackage("dev.rewind.adapter.*..")
                .check(CLASSES);
    }

    /**
     * An adapter undoes one kind of release and knows only the adapter port and the catalogue: not the
     * engine, the chat, the web or the database. Shared plumbing (HTTP JSON calls, Kubernetes rollout
     * watching) lives in {@code adapter.http} and {@code adapter.kubernetes}; git-revert reads Argo CD
     * applications to confirm a sync.
     */
    @Test
    void adaptersUseOnlyThePortTheCatalogueAndSharedPlumbing() {
        noClasses().that().resideInAPackage("dev.rewind.adapter.*..")
                .should().dependOnClassesThat().resideInAnyPackage(EDGES)
                .orShould().dependOnClassesThat().resideInAnyPackage("dev.rewind.rollback..", "dev.rewind.assess..",
                        "dev.rewind.incident..", "dev.rewind.alerts..", "dev.rewind.outbox..")
                .check(CLASSES);
        slices().matching("dev.rewind.adapter.(*)..").should().notDependOnEachOther()
                .ignoreDependency(resideInAPackage("dev.rewind.adapter.*.."),
                        resideInAnyPackage("dev.rewind.adapter.http..", "dev.rewind.adapter.kubernetes.."))
                .ignoreDependency(resideInAPackage("dev.rewind.adapter.gitrevert.."), resideInAPackage("dev.rewind.adapter.argocd.."))
                .because("adapters share code only through adapter.http and adapter.kubernetes")
                .check(CLASSES);
    }

    /** The GitHub issue publisher is an edge like Slack: it reads reports and runs, and sends through the outbox. */
    @Test
    void githubPublisherKnowsNoOtherEdge() {
        noClasses().that().resideInAPackage("dev.rewind.github..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.rewind.slack..", "dev.rewind.web..",
                        "dev.rewind.store..", "dev.rewind.adapter..", "com.slack..", "io.javalin..", "org.jdbi..")
                .check(CLASSES);
    }

    @Test
    void onlyTheStoreUsesJdbi() {
        noClasses().that().resideOutsideOfPackage("dev.rewind.store..")
                .should().dependOnClassesThat().resideInAnyPackage("org.jdbi..", "org.flywaydb..")
                .check(CLASSES);
    }

    @Test
    void onlyAdaptersAndTheCompositionRootUseFabric8() {
        noClasses().that().resideOutsideOfPackages("dev.rewind.adapter..", "dev.rewind")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..")
                .check(CLASSES);
    }

    @Test
    void onlyTheConfigPackageReadsTheEnvironment() {
        noClasses().that().resideOutsideOfPackage("dev.rewind.config..")
                .should().callMethod(System.class, "getenv")
                .orShould().callMethod(System.class, "getenv", String.class)
                .check(CLASSES);
    }
}
