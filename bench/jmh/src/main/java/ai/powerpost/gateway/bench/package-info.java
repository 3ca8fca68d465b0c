/** JMH micro-benchmarks of the gateway's per-request work (bench/run, docs/performance.md). */
package ai.powerpost.gateway.bench;
