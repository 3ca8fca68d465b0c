@NullMarked
package ai.powerpost.gateway.admin.operators;

import org.jspecify.annotations.NullMarked;
