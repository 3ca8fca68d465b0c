@NullMarked
package ai.powerpost.gateway.routing;

import org.jspecify.annotations.NullMarked;
