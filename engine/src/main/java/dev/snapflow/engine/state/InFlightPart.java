package dev.snapflow.engine.state;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The name of one channel's in-flight data in a subtask's state, by what the channel is rather
 * than where it sits: the network edge (producing operator's uid, consuming chain head's uid, how it
 * partitions), the parallelism at both ends, and the subtask at the other end. A restore therefore
 * finds the channel in a job that declares its pipelines in another order, and refuses one that
 * lacks the edge or changed its partitioning or parallelism, instead of replaying records into the
 * wrong operator or subtask.
 *
 * <p>Format (uids percent-encoded): {@code inflight/in/<producer uid>-><consumer uid>/<partitioning>/<producer
 * parallelism>x<consumer parallelism>/<producer subtask>} in the consumer's state, and {@code
 * inflight/out/.../<consumer subtask>} in the producer's.
 *
 * @param input        true in the consumer's state (data it had received), false in the producer's
 *                     (data a barrier overtook on its way out)
 * @param partitioning how the edge partitions records, in lower case: {@code forward}, {@code hash}, ...
 * @param partnerIndex the subtask at the other end of the channel: the producer's for input, the
 *                     consumer's for output
 */
public record InFlightPart(boolean input, String producerUid, String consumerUid, String partitioning,
                           int producerParallelism, int consumerParallelism, int partnerIndex) {

    private static final String INPUT = SubtaskState.IN_FLIGHT_PREFIX + "in/";
    private static final String OUTPUT = SubtaskState.IN_FLIGHT_PREFIX + "out/";
    private static final String ARROW = "->";

    public InFlightPart {
        Objects.requireNonNull(producerUid, "producerUid");
        Objects.requireNonNull(consumerUid, "consumerUid");
        if (!partitioning.matches("[a-z]+")) {
            throw new IllegalArgumentException("Not a partitioning: '" + partitioning + "'");
        }
        if (producerParallelism < 1 || consumerParallelism < 1 || partnerIndex < 0
                || partnerIndex >= (input ? producerParallelism : consumerParallelism)) {
            throw new IllegalArgumentException("Not a channel: " + producerParallelism + "x" + consumerParallelism
                    + ", subtask " + partnerIndex);
        }
    }

    public String name() {
        return (input ? INPUT : OUTPUT) + encode(producerUid) + ARROW + encode(consumerUid) + "/" + partitioning + "/"
                + producerParallelism + "x" + consumerParallelism + "/" + partnerIndex;
    }

    /** How a part names a partitioning: {@code HASH} is {@code hash}. */
    public static String partitioningName(String partitioning) {
        return partitioning.toLowerCase(java.util.Locale.ROOT);
    }

    /** A uid may hold any character, {@code ->} and {@code /} among them: it is percent-encoded in a name. */
    private static String encode(String uid) {
        return URLEncoder.encode(uid, StandardCharsets.UTF_8);
    }

    /** The edge, as a person reads it: {@code 'source' -> 'count'}. */
    public String edge() {
        return "'" + producerUid + "' -> '" + consumerUid + "'";
    }

    /** The uid of the operator whose subtask holds this part: the consumer for input, the producer for output. */
    public String ownerUid() {
        return input ? consumerUid : producerUid;
    }

    /**
     * Reads a part name.
     *
     * @return empty if {@code name} is not an in-flight part
     * @throws IllegalArgumentException if it is one, but malformed
     */
    public static Optional<InFlightPart> parse(String name) {
        boolean input = name.startsWith(INPUT);
        if (!input && !name.startsWith(OUTPUT)) {
            return Optional.empty();
        }
        String rest = name.substring((input ? INPUT : OUTPUT).length());
        try {
            int lastSlash = rest.lastIndexOf('/');
            int partner = Integer.parseInt(rest.substring(lastSlash + 1));
            String front = rest.substring(0, lastSlash);
            int shapeSlash = front.lastIndexOf('/');
            String[] shape = front.substring(shapeSlash + 1).split("x");
            String partitioned = front.substring(0, shapeSlash);
            int partitioningSlash = partitioned.lastIndexOf('/');
            String edge = partitioned.substring(0, partitioningSlash);
            int arrow = edge.indexOf(ARROW);
            return Optional.of(new InFlightPart(input, URLDecoder.decode(edge.substring(0, arrow), StandardCharsets.UTF_8),
                    URLDecoder.decode(edge.substring(arrow + ARROW.length()), StandardCharsets.UTF_8),
                    partitioned.substring(partitioningSlash + 1), Integer.parseInt(shape[0]), Integer.parseInt(shape[1]), partner));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Malformed in-flight part name '" + name + "'", e);
        }
    }
}
