package dev.snapflow.engine;

import java.time.Instant;

/**
 * An attempt of a job that failed.
 *
 * @param attempt      the attempt's number, from 1
 * @param time         when the job master learned of the failure
 * @param operatorName the operator whose subtask failed, or the actor that stopped unexpectedly
 * @param subtaskIndex the failed subtask's index
 * @param cause        what was thrown
 * @param restarted    whether the restart strategy started another attempt
 */
public record JobAttemptFailure(int attempt, Instant time, String operatorName, int subtaskIndex, Throwable cause,
                                boolean restarted) {
}
