package dev.snapflow.serialization.record;

import com.fasterxml.jackson.core.Version;
import com.fasterxml.jackson.databind.cfg.PackageVersion;

/**
 * Fails early, with the fix, when the application's build resolved a Jackson too old for
 * Snapflow: Akka 2.6 asks for Jackson 2.11, which cannot serialize Java records, and a build that
 * declares Akka's modules before Snapflow's may end up with it.
 */
public final class JacksonCompatibility {

    /** The oldest jackson-databind that reads and writes Java records. */
    static final Version OLDEST_SUPPORTED = new Version(2, 12, 0, null, "com.fasterxml.jackson.core", "jackson-databind");

    private JacksonCompatibility() {
    }

    public static void requireRecordSupport() {
        requireRecordSupport(PackageVersion.VERSION);
    }

    static void requireRecordSupport(Version resolved) {
        if (resolved.compareTo(OLDEST_SUPPORTED) < 0) {
            throw new IllegalStateException("Snapflow needs jackson-databind " + OLDEST_SUPPORTED + " or later, but the"
                    + " classpath has " + resolved + " (Akka 2.6 asks for 2.11, which cannot serialize Java records)."
                    + " Declare com.fasterxml.jackson.core:jackson-databind, jackson-dataformat-cbor and the other Jackson"
                    + " modules at the version Snapflow was built with, or import com.fasterxml.jackson:jackson-bom.");
        }
    }
}
