@NullMarked
package ai.powerpost.gateway.redis;

import org.jspecify.annotations.NullMarked;
