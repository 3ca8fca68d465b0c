package ai.powerpost.gateway.support;

import ai.powerpost.gateway.GatewayApplication;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * A gateway started on random public and management ports against the shared real Redis and the
 * shared recording upstream ({@link GatewayTestBase} wires both in).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
        classes = GatewayApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "management.server.port=0",
            "gateway.admin.token=" + GatewayTestBase.ADMIN_TOKEN,
            "gateway.keys.secrets." + GatewayTestBase.KEY_SECRET_ID + "=" + GatewayTestBase.KEY_SECRET,
            "gateway.keys.minting-secret=" + GatewayTestBase.KEY_SECRET_ID,
            "gateway.routes.file=../routes.yml",
            "gateway.usage.flush-interval=200ms",
            "gateway.usage.counts-flush-interval=200ms",
            // CI runs several JVMs on two cores: generous Redis timeouts, so a GC pause is not a 503
            "spring.data.redis.timeout=10s",
            "gateway.keys.lookup-timeout=10s",
            // the suite sends many bad keys from one address; BruteForceIT tests the default limit
            "gateway.auth.max-failures=1000000"
        })
public @interface GatewayIntegrationTest {}
