package org.countersign.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The dependency rules that keep the layout telling the architecture. */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.countersign");

    @Test
    void policyCoreDependsOnTheJdkOnly() {
        classes().that().resideInAPackage("org.countersign.policy..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("org.countersign.policy..", "java..")
                .check(MAIN);
    }

    @Test
    void onlyTheGitLabAdapterTalksToGitLab4J() {
        noClasses().that().resideOutsideOfPackage("org.countersign.gitlab..")
                .should().dependOnClassesThat().resideInAPackage("org.gitlab4j..")
                .check(MAIN);
    }

    @Test
    void entitiesStayInStore() {
        noClasses().that().resideOutsideOfPackage("org.countersign.store..")
                .should().dependOnClassesThat().haveSimpleNameEndingWith("Entity")
                .check(MAIN);
    }

    @Test
    void useCasesDoNotDependOnTheWebOrTheAdapter() {
        noClasses().that().resideInAPackage("org.countersign.workflow..")
                .should().dependOnClassesThat().resideInAnyPackage("org.countersign.gitlab..", "org.countersign.web..")
                .check(MAIN);
    }
}
