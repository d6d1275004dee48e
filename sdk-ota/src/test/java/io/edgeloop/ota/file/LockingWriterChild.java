package io.edgeloop.ota.file;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Run in a child JVM: a writer with temporary files in use. Creates one locked temporary file per target name in
 * a directory (named by {@code pid}, standing in for a writer of another PID namespace, or by its own pid when
 * {@code pid} is {@code own}), writes to each, prints each file's path and then {@code ready}; then, for each line
 * {@code commit <name>} on stdin, renames that file over its target and prints {@code committed <name>}. Holds
 * the rest until stdin ends or it is killed.
 */
public final class LockingWriterChild {
    private LockingWriterChild() {
    }

    /**
     * @param args the directory, the pid to name the files by ({@code own}: this process's), the target names
     * @throws Exception when a file cannot be written
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        if (!args[1].equals("own")) {
            TemporaryFile.nameByPid(Long.parseLong(args[1]));
        }
        Map<String, TemporaryFile> files = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            TemporaryFile t = AtomicFiles.createTemporary(dir.resolve(args[i]));
            try (OutputStream o = t.output()) {
                o.write(("written by " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8));
            }
            files.put(args[i], t);
            System.out.println(t.path());
        }
        System.out.println("ready");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.startsWith("commit ")) {
                String name = line.substring("commit ".length());
                TemporaryFile t = files.get(name);
                t.sync();
                t.replace(dir.resolve(name));
                t.close();
                System.out.println("committed " + name);
                System.out.flush();
            }
        }
    }
}
