/**
 * Who may call what: route resolution against the route table, authentication of the key, and
 * its authorisation for the route (scope, workspace). The stages of {@code pipeline.Stage} from
 * {@code ROUTE_RESOLUTION} to {@code WORKSPACE}.
 */
@NullMarked
package ai.powerpost.gateway.access;

import org.jspecify.annotations.NullMarked;
