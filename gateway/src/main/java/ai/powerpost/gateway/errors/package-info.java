@NullMarked
package ai.powerpost.gateway.errors;

import org.jspecify.annotations.NullMarked;
