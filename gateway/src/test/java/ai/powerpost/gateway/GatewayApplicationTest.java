package ai.powerpost.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the entry point sets before anything starts. */
class GatewayApplicationTest {

    private String saved;

    @BeforeEach
    void save() {
        saved = System.getProperty(GatewayApplication.IO_WORKER_COUNT);
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty(GatewayApplication.IO_WORKER_COUNT);
        } else {
            System.setProperty(GatewayApplication.IO_WORKER_COUNT, saved);
        }
    }

    @Test
    void oneEventLoopPerCoreUnlessTheOperatorSetTheCount() {
        System.clearProperty(GatewayApplication.IO_WORKER_COUNT);
        GatewayApplication.oneEventLoopPerCore();
        assertThat(System.getProperty(GatewayApplication.IO_WORKER_COUNT))
                .isEqualTo(Integer.toString(Runtime.getRuntime().availableProcessors()));

        System.setProperty(GatewayApplication.IO_WORKER_COUNT, "7");
        GatewayApplication.oneEventLoopPerCore();
        assertThat(System.getProperty(GatewayApplication.IO_WORKER_COUNT)).isEqualTo("7");
    }
}
