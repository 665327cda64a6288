package dev.rewind.adapter.gitrevert;

/** The GitOps tool that deploys the reverted path, as the {@code sync:} block names it. */
interface GitOpsSync {

    /** What it is called, in sentences and on the card: {@code "Argo CD application checkout"}. */
    String name();

    /**
     * Reads the tool's state once, without waiting.
     *
     * @throws dev.rewind.adapter.AdapterException when it cannot be read, with the reason
     */
    SyncStatus read();
}
