@NullMarked
package ai.powerpost.gateway.demo;

import org.jspecify.annotations.NullMarked;
