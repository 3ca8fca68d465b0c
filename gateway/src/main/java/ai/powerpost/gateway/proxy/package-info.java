@NullMarked
package ai.powerpost.gateway.proxy;

import org.jspecify.annotations.NullMarked;
