package bench.stock;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** A stock Spring Cloud Gateway: one route from application.yml, the framework's defaults. */
@SpringBootApplication
public class StockGatewayApplication {
    public static void main(String[] args) {
        SpringApplication.run(StockGatewayApplication.class, args);
    }
}
