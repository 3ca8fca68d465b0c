package ai.powerpost.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import ai.powerpost.gateway.admin.AdminRoutes;
import ai.powerpost.gateway.admin.Changes;
import ai.powerpost.gateway.pipeline.Check;
import ai.powerpost.gateway.pipeline.StageFilter;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveRedisOperations;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * The package structure of docs/architecture.md, checked on the compiled classes: dependencies run
 * one way, from the edge down to the model.
 * <pre>
 *   edge:     http, admin, leaks (reports of leaked keys on the public port, through admin's change unit)
 *   stages:   access, web, ratelimit, usage, proxy, metrics   (each reads the request state, never another stage)
 *   pipeline: the request state, the stage order, the one error writer
 *   model:    routing, auth, redis, errors, config
 * </pre>
 */
class ArchitectureTest {

    private static final String ROOT = "ai.powerpost.gateway";
    private static final String[] STAGES = {"access", "web", "ratelimit", "usage", "proxy", "metrics"};
    private static final String[] MODEL = {"routing", "auth", "redis", "errors", "config"};

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    private static String[] packages(String... names) {
        String[] packages = new String[names.length];
        for (int i = 0; i < names.length; i++) {
            packages[i] = ROOT + "." + names[i] + "..";
        }
        return packages;
    }

    @Test
    void theImportSeesTheGateway() {
        // a rule over no classes passes whatever it says: make sure these rules look at the gateway
        org.assertj.core.api.Assertions.assertThat(CLASSES.size()).isGreaterThan(100);
        org.assertj.core.api.Assertions.assertThat(CLASSES.containPackage(ROOT + ".pipeline"))
                .isTrue();
    }

    @Test
    void packagesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void theModelKnowsNothingOfThePipelineOrTheStages() {
        noClasses()
                .that()
                .resideInAnyPackage(packages(MODEL))
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(packages(concat(STAGES, "pipeline", "http", "admin", "leaks")))
                .check(CLASSES);
    }

    @Test
    void thePipelineKnowsNoStage() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".pipeline..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(packages(concat(STAGES, "http", "admin", "leaks")))
                .check(CLASSES);
    }

    @Test
    void noStageReachesIntoAnother() {
        for (String stage : STAGES) {
            noClasses()
                    .that()
                    .resideInAPackage(ROOT + "." + stage + "..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(packages(without(STAGES, stage)))
                    .because("a stage reads what earlier stages found from the request state, not from their classes")
                    .check(CLASSES);
        }
    }

    /** The leak intake is an edge, like the management API: it uses the change unit, nothing uses it. */
    @Test
    void nothingDependsOnTheLeakIntake() {
        noClasses()
                .that()
                .resideOutsideOfPackage(ROOT + ".leaks..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ROOT + ".leaks..")
                .check(CLASSES);
    }

    @Test
    void everyGlobalFilterIsAStageDeclaredAsABean() {
        classes()
                .that()
                .resideInAPackage(ROOT + "..")
                .and()
                .areAssignableTo(GlobalFilter.class)
                .and()
                .areNotInterfaces()
                .should()
                .beAssignableTo(StageFilter.class)
                .andShould()
                .notBeAnnotatedWith(Component.class)
                .check(CLASSES);
    }

    /**
     * A check is a plain method run by the one pass: never a global filter of its own (which would
     * run it a second time, outside the pass's order), never a {@code @Component} (declared as a bean
     * in its package's configuration, like a stage), and never handed the chain: what comes after it
     * is the pass's business, not the check's.
     */
    @Test
    void everyCheckIsAPlainBeanRunByThePass() {
        classes()
                .that()
                .resideInAPackage(ROOT + "..")
                .and()
                .areAssignableTo(Check.class)
                .and()
                .areNotInterfaces()
                .should()
                .notBeAssignableTo(GlobalFilter.class)
                .andShould()
                .notBeAnnotatedWith(Component.class)
                .check(CLASSES);
        noClasses()
                .that()
                .resideInAPackage(ROOT + "..")
                .and()
                .areAssignableTo(Check.class)
                .should()
                .dependOnClassesThat()
                .areAssignableTo(GatewayFilterChain.class)
                .check(CLASSES);
    }

    @Test
    void exchangeAttributesAreTheRequestStates() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + "..")
                .and()
                .doNotHaveFullyQualifiedName(ROOT + ".pipeline.RequestState")
                // the upstream call hands Spring Cloud Gateway its route and reads what the routing filter left
                .and()
                .doNotHaveFullyQualifiedName(ROOT + ".proxy.UpstreamCallFilter")
                // the public port's handler mapping hands Spring Cloud Gateway its one route
                .and()
                .doNotHaveFullyQualifiedName(ROOT + ".access.PublicPortMapping")
                .should()
                .callMethod(ServerWebExchange.class, "getAttributes")
                .orShould()
                .callMethod(ServerWebExchange.class, "getAttribute", String.class)
                .because("the request state owns every attribute of the gateway's")
                .check(CLASSES);
    }

    /**
     * The management API changes nothing but through its change unit: only its stores (and the
     * configurations that build them) hold a Redis client, and their writes take a
     * {@code Changes.Permit}, which only {@code Changes} makes. A handler that wrote to Redis any
     * other way would need a Redis client, and fails here.
     */
    @Test
    void onlyTheManagementStoresTouchRedis() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".admin..")
                .and()
                .haveSimpleNameNotEndingWith("Store")
                .and()
                .haveSimpleNameNotEndingWith("Configuration")
                .should()
                .dependOnClassesThat()
                .areAssignableTo(ReactiveRedisOperations.class)
                .orShould()
                .dependOnClassesThat()
                .areAssignableTo(ReactiveRedisConnectionFactory.class)
                .orShould()
                .dependOnClassesThat()
                .areAssignableTo(ReactiveRedisConnection.class)
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(ROOT + ".redis.RedisScripts")
                .because("every change of the management API goes through admin.Changes (role, audit entry, change)")
                .check(CLASSES);
    }

    @Test
    void managementHandlersDependOnNoRedisClassAtAll() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".admin..")
                .and()
                .areAssignableTo(AdminRoutes.class)
                .should()
                .dependOnClassesThat()
                .resideInAPackage("org.springframework.data.redis..")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("io.lettuce..")
                .check(CLASSES);
    }

    /**
     * The console is a second face of the management API, not a second way in: it reads and changes
     * keys only through the keys capability's own methods (which go through {@code admin.Changes}),
     * never through a store's writes, and holds no Redis client (the rule above covers that).
     */
    @Test
    void theConsoleChangesKeysOnlyThroughTheManagementApisHandlers() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".admin.console..")
                .should()
                .dependOnClassesThat()
                .haveFullyQualifiedName(ROOT + ".admin.keys.KeysStore")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(ROOT + ".admin.operators.OperatorStore")
                .orShould()
                .dependOnClassesThat()
                .haveFullyQualifiedName(Changes.Permit.class.getName())
                .because("a console change is the JSON API's change: same parsing, role check and audit entry")
                .check(CLASSES);
    }

    @Test
    void onlyTheChangeUnitIssuesPermits() {
        noClasses()
                .that()
                .doNotHaveFullyQualifiedName(Changes.class.getName())
                .should()
                .callConstructor(Changes.Permit.class)
                .because("a permit is the proof that a change went through admin.Changes")
                .check(CLASSES);
    }

    private static String[] concat(String[] names, String... more) {
        String[] all = java.util.Arrays.copyOf(names, names.length + more.length);
        System.arraycopy(more, 0, all, names.length, more.length);
        return all;
    }

    private static String[] without(String[] names, String excluded) {
        return java.util.Arrays.stream(names).filter(n -> !n.equals(excluded)).toArray(String[]::new);
    }
}
