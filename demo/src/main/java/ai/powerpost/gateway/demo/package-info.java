/**
 * The demo ({@link ai.powerpost.gateway.demo.DemoApplication}): the gateway with its own Redis, a mock
 * PowerPost backend and fixed keys. Its own module and jar; nothing here is in the production jar.
 * No class here carries a Spring stereotype: the package lies under the gateway's component scan.
 */
@NullMarked
package ai.powerpost.gateway.demo;

import org.jspecify.annotations.NullMarked;
