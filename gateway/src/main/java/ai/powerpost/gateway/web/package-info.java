@NullMarked
package ai.powerpost.gateway.web;

import org.jspecify.annotations.NullMarked;
