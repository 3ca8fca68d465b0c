@NullMarked
package ai.powerpost.gateway;

import org.jspecify.annotations.NullMarked;
