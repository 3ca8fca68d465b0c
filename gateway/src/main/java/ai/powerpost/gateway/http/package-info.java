/**
 * The HTTP connection itself, below Spring: how long a client may take to send a request head or
 * its body, how many connections a replica holds, and which request heads are well-framed enough to
 * be read at all. Everything here runs in the Netty pipeline of the public port, between the HTTP
 * codec and Reactor Netty's request handling, so nothing it refuses ever becomes a request that a
 * filter, or an upstream, sees.
 */
@NullMarked
package ai.powerpost.gateway.http;

import org.jspecify.annotations.NullMarked;
