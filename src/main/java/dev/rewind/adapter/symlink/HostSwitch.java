package dev.rewind.adapter.symlink;

import java.util.Optional;

/**
 * What a rollback did on one host.
 *
 * @param switchedNow whether this attempt moved {@code current} (as opposed to an earlier attempt of the run)
 * @param problem     what went wrong on the host, if anything
 */
record HostSwitch(SshHost host, State state, boolean switchedNow, Optional<String> problem) {

    enum State {
        /** {@code current} points at the chosen release because of this run. */
        SWITCHED,
        /** {@code current} already pointed at the chosen release and no restart was owed. */
        ALREADY,
        /** {@code current} was not touched. */
        NOT_SWITCHED,
        /** The switch command did not report back: {@code current} may or may not have moved. */
        UNKNOWN
    }

    static HostSwitch switched(SshHost host, boolean switchedNow) {
        return new HostSwitch(host, State.SWITCHED, switchedNow, Optional.empty());
    }

    static HostSwitch restartFailed(SshHost host, boolean switchedNow, String problem) {
        return new HostSwitch(host, State.SWITCHED, switchedNow, Optional.of(problem));
    }

    static HostSwitch alreadyThere(SshHost host) {
        return new HostSwitch(host, State.ALREADY, false, Optional.empty());
    }

    static HostSwitch notSwitched(SshHost host, String problem) {
        return new HostSwitch(host, State.NOT_SWITCHED, false, Optional.of(problem));
    }

    static HostSwitch unknown(SshHost host, String problem) {
        return new HostSwitch(host, State.UNKNOWN, false, Optional.of(problem));
    }
}
