package dev.rewind.signals;

/** What one HTTP probe answered: whether it was what was expected, and in words ("login 200 in 84 ms"). */
public record ProbeAnswer(String name, boolean ok, String detail) {
}
