package ai.powerpost.gateway.routing;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The route table in force. Swapped whole and atomically when routes.yml changes; a request reads
 * it once (its {@link RouteMatch} is kept on the exchange), so a reload never changes a request
 * in flight.
 */
public final class RouteTableHolder {

    private final AtomicReference<RouteTable> current;

    public RouteTableHolder(RouteTable initial) {
        this.current = new AtomicReference<>(initial);
    }

    public RouteTable current() {
        return current.get();
    }

    void replace(RouteTable table) {
        current.set(table);
    }
}
