package ai.powerpost.gateway.routing;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a bad routes.yml into Boot's short start-up failure report (one message naming the file
 * and the offending route) instead of a stack trace.
 */
class RouteTableFailureAnalyzer extends AbstractFailureAnalyzer<RouteTableException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RouteTableException cause) {
        return new FailureAnalysis(
                cause.getMessage(),
                "Fix the routes file (see the comment at its top for the format), or point GATEWAY_ROUTES_FILE at "
                        + "another one.",
                cause);
    }
}
