package ai.powerpost.gateway.routing;

/** routes.yml cannot be used; the message names the file and the offending entry. */
public class RouteTableException extends RuntimeException {

    public RouteTableException(String message) {
        super(message);
    }

    public RouteTableException(String message, Throwable cause) {
        super(message, cause);
    }
}
