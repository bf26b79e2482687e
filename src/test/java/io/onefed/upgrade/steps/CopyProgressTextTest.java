package io.onefed.upgrade.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.onefed.upgrade.ssh.FileTransfer;
import org.junit.jupiter.api.Test;

/**
 * The copy's resume point as its process variable {@code copyProgress} keeps it between pieces: a copy whose bytes
 * are all in the part (only its check and move left) reads so, and the older form without it still reads.
 */
class CopyProgressTextTest {

    static final String SHA = "ab".repeat(32);

    @Test
    void aCopiedPartAndAPartUnderWayReadBackAsWritten() {
        BackupCopies.Progress copied = new BackupCopies.Progress(1, SHA,
                new FileTransfer.Resume("/var/lib/one/b.sql.part-1a2b3c4d", 4961, true));
        assertThat(copied.encode()).isEqualTo("1|" + SHA + "|4961:copied|/var/lib/one/b.sql.part-1a2b3c4d");
        assertThat(BackupCopies.Progress.decode(copied.encode(), null)).isEqualTo(copied);

        BackupCopies.Progress underWay = BackupCopies.Progress.decode("0|" + SHA + "|1024|/x/b.part-1", null);
        assertThat(underWay.resume()).isEqualTo(new FileTransfer.Resume("/x/b.part-1", 1024, false));
        assertThat(BackupCopies.Progress.decode("0|" + SHA + "||", SHA).resume()).isNull();
    }
}
