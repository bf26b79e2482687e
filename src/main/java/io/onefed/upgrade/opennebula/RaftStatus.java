package io.onefed.upgrade.opennebula;

/** {@code one.zone.raftstatus}: the answering server's Raft state and federation log index. */
public record RaftStatus(int serverId, State state, long term, int votedFor, long commit, long logIndex,
        long logTerm, FedIndex fedlogIndex) {

    /** RAFT/STATE: 0 solo, 1 candidate, 2 follower, 3 leader. */
    public enum State { SOLO, CANDIDATE, FOLLOWER, LEADER }
}
