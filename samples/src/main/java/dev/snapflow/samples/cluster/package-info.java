/** Snapflow on an Akka Cluster: a job across three JVMs that survives the loss of one. */
package dev.snapflow.samples.cluster;
