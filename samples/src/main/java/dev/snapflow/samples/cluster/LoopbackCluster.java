package dev.snapflow.samples.cluster;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.StreamSupport;

/** What the programs that start a cluster of JVMs on this machine share. */
public final class LoopbackCluster {

    private LoopbackCluster() {
    }

    /** A cluster member on 127.0.0.1 with a port the OS picks, Java serialization off, and {@code extra} on top. */
    public static Config nodeConfig(String extra) {
        return ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString("""
                akka.actor.provider = cluster
                akka.remote.artery.canonical.hostname = "127.0.0.1"
                akka.remote.artery.canonical.port = 0
                akka.actor.allow-java-serialization = off
                akka.loglevel = WARNING
                akka.cluster.log-info = off
                """)).withFallback(ConfigFactory.load());
    }

    /** Starts {@code main} with {@code arguments} in another JVM on this program's class path; its output goes to {@code log}. */
    public static Process startJvm(Class<?> main, List<String> jvmFlags, List<String> arguments, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-cp", classPath(main), main.getName()));
        command.addAll(arguments);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The class path {@code main} was loaded from: exec:java runs programs in a class loader of its own, not on java.class.path. */
    static String classPath(Class<?> main) {
        Set<String> entries = new LinkedHashSet<>();
        for (ClassLoader loader = main.getClassLoader(); loader != null; loader = loader.getParent()) {
            if (loader instanceof URLClassLoader urls) {
                for (URL url : urls.getURLs()) {
                    try {
                        entries.add(Path.of(url.toURI()).toString());
                    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                        // Not a file: not part of a class path.
                    }
                }
            }
        }
        return entries.isEmpty() ? System.getProperty("java.class.path") : String.join(File.pathSeparator, entries);
    }

    /** Waits until the workers offer {@code slots} free slots: every node has registered its jobs, and the Receptionist knows it. */
    public static void awaitFreeSlots(dev.snapflow.engine.SnapflowCluster cluster, int slots, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (cluster.freeSlots(Duration.ofSeconds(3)).toCompletableFuture().get() < slots) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The cluster's workers did not offer " + slots + " slots within " + timeout);
            }
            Thread.sleep(100); // the Receptionist's view spreads by gossip: look again
        }
    }

    /** Waits until {@code cluster} sees {@code count} members up. */
    public static void awaitMembersUp(Cluster cluster, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                .filter(member -> member.status() == MemberStatus.up()).count() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The cluster did not reach " + count + " members within " + timeout);
            }
            Thread.sleep(100); // polling the membership, which has no future to wait on
        }
    }
}
