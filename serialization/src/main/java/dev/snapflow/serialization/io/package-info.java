/**
 * Bounds-checked byte input and growable byte output used by the event and record codecs.
 *
 * <p>Public because user record serializers and user events read and write through these types.
 * Both are single-threaded and never allocate an array sized by a length read from the input
 * without first checking that the input holds that many bytes.
 */
package dev.snapflow.serialization.io;
