package ai.powerpost.gateway.routing;

import ai.powerpost.gateway.errors.ApiError;

/** What the route table says of one request: a route, or the error that answers it. */
public sealed interface RouteMatch {

    /** The exchange attribute under which the match is kept for the filters after routing. */
    String ATTRIBUTE = RouteMatch.class.getName();

    /** The request matched {@code route}. */
    record Found(RouteSpec route) implements RouteMatch {}

    /** The request is answered with {@code error} (404, 405 or 400) and never proxied. */
    record Rejected(ApiError error) implements RouteMatch {}
}
