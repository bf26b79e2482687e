package io.onefed.upgrade.opennebula;

/**
 * FEDLOG_INDEX, an unsigned 64-bit value. {@code -1} (federation off) and 2^64-1 (empty federated log) have
 * the same bits; which one it means depends on the zone being in a federation, so both read as "no index".
 */
public record FedIndex(long unsignedBits) {

    public static final FedIndex NONE = new FedIndex(-1L);

    public static FedIndex parse(String text) {
        String t = text.trim();
        return new FedIndex(t.startsWith("-") ? Long.parseLong(t) : Long.parseUnsignedLong(t));
    }

    public boolean isNone() {
        return unsignedBits == -1L;
    }

    @Override
    public String toString() {
        return isNone() ? "-" : Long.toUnsignedString(unsignedBits);
    }
}
