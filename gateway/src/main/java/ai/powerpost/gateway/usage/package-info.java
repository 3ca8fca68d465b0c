@NullMarked
package ai.powerpost.gateway.usage;

import org.jspecify.annotations.NullMarked;
