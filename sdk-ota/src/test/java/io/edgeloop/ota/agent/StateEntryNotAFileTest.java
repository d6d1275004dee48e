package io.edgeloop.ota.agent;

import static io.edgeloop.ota.agent.AgentTestSupport.open;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgeloop.api.target.TargetProfile;
import io.edgeloop.ota.testing.Fixtures;
import io.edgeloop.ota.trust.KeyAlgorithm;
import io.edgeloop.ota.trust.SigningKey;
import io.edgeloop.ota.trust.TrustRoot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A state file replaced by something that is not a file (a directory, a symbolic link) reads as missing; writing
 * it moves that entry aside whole ({@code <name>.DAMAGED-<n>}) instead of failing at every write, as a rename
 * cannot replace a directory and an in-place write does not follow a link (review s14: every agent start threw
 * when {@code boot.json} or {@code counters.json} was a directory, and every install into a slot whose file was
 * one failed). Real directories and links on disk.
 */
class StateEntryNotAFileTest {
    static final SigningKey K = Fixtures.key(KeyAlgorithm.ED25519, 73);
    static final TrustRoot TRUST = Fixtures.trust(1, K);
    static final TargetProfile M3 = TargetProfile.CORTEX_M3;

    static byte[] bundle(long seq, int seed) {
        return Fixtures.draft("har", seq, 0, seed, M3).sign(K);
    }

    @ParameterizedTest(name = "{0} ({1}) is a {2}")
    @CsvSource({
        "boot.json, atomic, directory", "boot.json, atomic, dangling link", "boot.json, atomic, link to a file",
        "slot-a/slot.json, atomic, directory", "slot-a/artifact, in place, directory",
        "slot-a/artifact, in place, dangling link", "slot-a/artifact, in place, link to a file"})
    @DisplayName("a name whose entry is not a regular file reads as missing, and writing it moves the entry aside "
            + "whole and writes the file")
    void writingMovesTheEntryAside(String name, String write, String entry, @TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        Path p = s.root().resolve(name);
        Files.createDirectories(p.getParent());
        Path outside = Files.writeString(dir.resolve("outside.txt"), "not the device's");
        switch (entry) {
            case "directory" -> Files.writeString(Files.createDirectory(p).resolve("kept.txt"), "kept");
            case "dangling link" -> Files.createSymbolicLink(p, dir.resolve("nowhere"));
            default -> Files.createSymbolicLink(p, outside);
        }
        assertTrue(s.read(name).isEmpty(), "reads as missing");
        byte[] data = "the new value".getBytes(StandardCharsets.UTF_8);
        // old code: a rename over a directory fails (EISDIR), an in-place write into one or through a link too
        if (write.equals("atomic")) {
            s.writeAtomic(name, data);
        } else {
            s.write(name, data, null);
        }
        assertArrayEquals(data, s.read(name).orElseThrow());
        assertTrue(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS));
        Path aside = p.resolveSibling(p.getFileName() + ".DAMAGED-1");
        if (entry.equals("directory")) {
            assertEquals("kept", Files.readString(aside.resolve("kept.txt")), "what the directory held is kept");
        } else {
            assertEquals(entry.equals("dangling link") ? dir.resolve("nowhere") : outside,
                    Files.readSymbolicLink(aside), "the link is kept as it was");
        }
        assertEquals("not the device's", Files.readString(outside), "nothing is written through a link");
    }

    @Test
    @DisplayName("moves aside to the first free DAMAGED-n, and deleting a name that is a directory leaves it alone")
    void firstFreeAsideNameAndDeleteLeavesDirectories(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir);
        Path counters = s.root().resolve("counters.json");
        Files.writeString(s.root().resolve("counters.json.DAMAGED-1"), "moved aside last week");
        Files.writeString(Files.createDirectory(counters).resolve("kept.txt"), "kept");
        s.delete("counters.json"); // old code: DirectoryNotEmptyException
        assertTrue(Files.isDirectory(counters), "a directory at the name is not deleted");
        s.writeAtomic("counters.json", new byte[] {'{', '}'});
        assertEquals("moved aside last week", Files.readString(s.root().resolve("counters.json.DAMAGED-1")));
        assertEquals("kept", Files.readString(s.root().resolve("counters.json.DAMAGED-2/kept.txt")));
        assertEquals("{}", Files.readString(counters));
    }

    @Test
    @DisplayName("opening the storage never cleans inside an entry moved aside, only in slot directories")
    void openingLeavesMovedAsideDirectoriesAlone(@TempDir Path dir) throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long dead = p.pid();
        Path aside = Files.createDirectories(dir.resolve("boot.json.DAMAGED-1"));
        Path theirs = Files.writeString(aside.resolve(".notes." + dead + ".1.tmp"), "someone's file");
        Path slot = Files.createDirectories(dir.resolve("slot-a"));
        Path stale = Files.writeString(slot.resolve(".manifest.json." + dead + ".1.tmp"), "stale");
        new FileDeviceStorage(dir);
        assertFalse(Files.exists(stale), "a dead writer's temporary file in a slot directory is deleted");
        assertTrue(Files.exists(theirs), "old code: cleaned every directory in the root, this one too");
    }

    @Test
    @DisplayName("an install succeeds when a file of the inactive slot is a directory; the directory is moved aside")
    void installIntoSlotWhoseFileIsADirectory(@TempDir Path dir) throws Exception {
        FileDeviceStorage s = new FileDeviceStorage(dir.resolve("state"));
        DeviceAgent a = open(s, TRUST, M3);
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(1, 10)).outcome()); // slot a
        for (String f : new String[] {"slot.json", "artifact", "manifest.json"}) {
            Path p = Files.createDirectories(s.root().resolve("slot-b/" + f));
            Files.writeString(p.resolve("kept.txt"), f);
        }
        // old code: deleting slot-b/slot.json threw DirectoryNotEmptyException: no install into slot b ever
        assertEquals(InstallOutcome.INSTALLED, a.install(bundle(2, 20)).outcome());
        DeviceAgentTest.assertServes(open(s, TRUST, M3), 20);
        for (String f : new String[] {"slot.json", "artifact", "manifest.json"}) {
            assertEquals(f, Files.readString(s.root().resolve("slot-b/" + f + ".DAMAGED-1/kept.txt")));
        }
    }
}
