package io.onefed.upgrade.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ZoneIdList}'s batch arithmetic: which slaves upgrade together (at most maxParallelZones at a time). */
class ZoneIdListTest {

    static final List<Integer> SLAVES = List.of(100, 101, 102, 103, 104);

    @Test
    void theSlavesAreCutIntoBatchesInOrderAndNoneIsLeftOutOrRepeated() {
        assertThat(ZoneIdList.batch(SLAVES, 2, 0)).containsExactly(100, 101);
        assertThat(ZoneIdList.batch(SLAVES, 2, 1)).containsExactly(102, 103);
        assertThat(ZoneIdList.batch(SLAVES, 2, 2)).containsExactly(104);
        assertThat(ZoneIdList.batch(SLAVES, 2, 3)).as("past the last batch").isEmpty();
        assertThat(ZoneIdList.batch(SLAVES, 10, 0)).containsExactlyElementsOf(SLAVES);
    }

    /** A maxParallelZones of 0 or less would make an endless loop of empty batches: it counts as 1. */
    @Test
    void aBatchHasAtLeastOneZone() {
        assertThat(ZoneIdList.batch(SLAVES, 0, 0)).containsExactly(100);
        assertThat(ZoneIdList.batch(SLAVES, -3, 4)).containsExactly(104);
    }

    @Test
    void batchesAreMutableCopiesAndHugeIndexesDoNotOverflow() {
        List<Integer> batch = ZoneIdList.batch(SLAVES, 2, 0);
        batch.add(999); // the engine may keep and change the collection it iterates
        assertThat(ZoneIdList.batch(SLAVES, 2, 0)).containsExactly(100, 101);
        assertThat(ZoneIdList.batch(SLAVES, Integer.MAX_VALUE, Integer.MAX_VALUE)).isEmpty();
        assertThat(ZoneIdList.batch(SLAVES, 2, -1)).isEmpty();
    }

    @Test
    void zoneIdTextReadsWithSpacesAndEmptyParts() {
        assertThat(new ZoneIdList().of(" 100, ,101 ")).containsExactly(100, 101);
        assertThat(new ZoneIdList().of(null)).isEmpty();
        assertThat(ZoneIdList.setOf("101,100,101")).containsExactlyInAnyOrder(100, 101);
    }
}
