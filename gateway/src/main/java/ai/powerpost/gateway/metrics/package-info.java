@NullMarked
package ai.powerpost.gateway.metrics;

import org.jspecify.annotations.NullMarked;
