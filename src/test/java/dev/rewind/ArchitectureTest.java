package dev.rewind;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/** The domain knows nothing of Slack, HTTP, Kubernetes or the database; arrows point inward. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.rewind");

    private static final String[] DOMAIN = {"dev.rewind.assess..", "dev.rewind.rollback..", "dev.rewind.incident..",
            "dev.rewind.signals", "dev.rewind.config..", "dev.rewind.alerts.."};

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
                .should().dependOnClassesThat().resideInAnyPackage("dev.rewind.slack..", "dev.rewind.web..",
                        "dev.rewind.store..", "dev.rewind.adapter.kubernetes..", "dev.rewind.adapter.symlink..")
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
