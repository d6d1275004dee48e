package io.edgeloop.tck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The kit's promise to consumers, checked on the files that publish it: sdk-tck takes JUnit from the consumer's
 * build (no JUnit at compile or runtime scope in its POM, its parent's inherited dependencies, the Edgeloop
 * libraries it depends on, nor the BOM), and README's "Contract tests" snippet is enough on its own: sdk-tck at
 * test scope (its version from the BOM README imports) plus a JUnit Jupiter engine of a version README says the kit
 * runs on. Plain XML and text parsing: no Maven run, no network.
 */
@DisplayName("sdk-tck's JUnit contract with consumers")
class ConsumerJUnitContractTest {
    /** The POMs and README of this repository, read once per test. */
    private record Published(String tckPom, String parentPom, Map<String, String> modulePoms, String bomPom,
            String readme) {
        Published with(String what, String from, String to) {
            String t = tckPom;
            String p = parentPom;
            String b = bomPom;
            String r = readme;
            switch (what) {
                case "tck": t = replaced(t, from, to); break;
                case "parent": p = replaced(p, from, to); break;
                case "bom": b = replaced(b, from, to); break;
                case "readme": r = replaced(r, from, to); break;
                default: throw new IllegalArgumentException(what);
            }
            return new Published(t, p, modulePoms, b, r);
        }

        private static String replaced(String text, String from, String to) {
            String out = text.replace(from, to);
            assertNotEquals(text, out, "the mutation did not apply: '" + from + "' is not in the file");
            return out;
        }
    }

    private static Path root() {
        for (Path p = Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            try {
                // The parent itself (a module's POM names edgeloop-parent too, as its parent)
                if (Files.isRegularFile(pom) && Files.readString(pom).contains("<module>sdk-tck</module>")) {
                    return p;
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("repository root (pom.xml of edgeloop-parent) not found above "
                + System.getProperty("user.dir"));
    }

    private static Published repository() throws IOException {
        Path root = root();
        Map<String, String> modules = new java.util.HashMap<>();
        try (var dirs = Files.list(root)) {
            for (Path d : dirs.toList()) {
                if (Files.isRegularFile(d.resolve("pom.xml"))) {
                    modules.put(d.getFileName().toString(), Files.readString(d.resolve("pom.xml")));
                }
            }
        }
        return new Published(modules.get("sdk-tck"), Files.readString(root.resolve("pom.xml")), modules,
                modules.get("sdk-bom"), Files.readString(root.resolve("README.md")));
    }

    // ---- the check -------------------------------------------------------------------------------------------

    /** A dependency as written: coordinates, and version and scope when given. */
    private record Dep(String groupId, String artifactId, String version, String scope, String type) {
        boolean junit() {
            return groupId.startsWith("org.junit");
        }

        String id() {
            return groupId + ":" + artifactId;
        }
    }

    private static Element parse(String xml, String what) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                    .getDocumentElement();
        } catch (Exception e) {
            throw new AssertionError(what + " is not well-formed XML: " + e.getMessage(), e);
        }
    }

    private static List<Element> children(Element e, String name) {
        List<Element> out = new ArrayList<>();
        if (e == null) {
            return out;
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                out.add(c);
            }
        }
        return out;
    }

    private static Element child(Element e, String name) {
        List<Element> c = children(e, name);
        return c.isEmpty() ? null : c.get(0);
    }

    private static String text(Element e, String name) {
        Element c = child(e, name);
        return c == null ? null : c.getTextContent().trim();
    }

    /** The {@code dependency} elements under {@code path} (e.g. {@code dependencies}) of {@code e}. */
    private static List<Dep> deps(Element e, String... path) {
        Element at = e;
        for (String p : path) {
            at = child(at, p);
        }
        List<Dep> out = new ArrayList<>();
        for (Element d : children(at, "dependency")) {
            out.add(new Dep(text(d, "groupId"), text(d, "artifactId"), text(d, "version"), text(d, "scope"),
                    text(d, "type")));
        }
        return out;
    }

    /** The scope a dependency ends up with: its own, else the one the parent's dependencyManagement gives it. */
    private static String scope(Dep d, List<Dep> managed) {
        if (d.scope() != null) {
            return d.scope();
        }
        return managed.stream().filter(m -> m.id().equals(d.id()) && m.scope() != null).map(Dep::scope).findFirst()
                .orElse("compile");
    }

    private static boolean reachesConsumers(String scope) {
        return scope.equals("compile") || scope.equals("runtime");
    }

    /** Everything wrong with the published POMs, one line each; empty when the contract holds. */
    static List<String> pomProblems(Published f) {
        List<String> problems = new ArrayList<>();
        Element parent = parse(f.parentPom(), "pom.xml");
        List<Dep> managed = deps(parent, "dependencyManagement", "dependencies");
        for (Dep d : deps(parent, "dependencies")) {
            if (d.junit() && reachesConsumers(scope(d, managed))) {
                problems.add("pom.xml (the parent every module inherits) declares " + d.id() + " at "
                        + scope(d, managed) + " scope: sdk-tck would pass it on to every consumer");
            }
        }
        Element tck = parse(f.tckPom(), "sdk-tck/pom.xml");
        List<Dep> tckDeps = deps(tck, "dependencies");
        boolean api = false;
        for (Dep d : tckDeps) {
            String s = scope(d, managed);
            if (d.junit() && reachesConsumers(s)) {
                problems.add("sdk-tck/pom.xml declares " + d.id() + " at " + s + " scope: it would force its JUnit "
                        + "version onto every consumer's tests (declare it provided)");
            }
            if (d.id().equals("org.junit.jupiter:junit-jupiter-api") && s.equals("provided")) {
                api = true;
            }
        }
        if (!api) {
            problems.add("sdk-tck/pom.xml does not declare org.junit.jupiter:junit-jupiter-api at provided scope "
                    + "(the kit compiles against it and takes it from the consumer's build)");
        }
        // The Edgeloop libraries the kit depends on reach consumers too, with their own dependencies.
        List<String> seen = new ArrayList<>();
        List<Dep> todo = new ArrayList<>(tckDeps);
        while (!todo.isEmpty()) {
            Dep d = todo.remove(0);
            if (!"io.edgeloop".equals(d.groupId()) || !reachesConsumers(scope(d, managed))
                    || seen.contains(d.artifactId())) {
                continue;
            }
            seen.add(d.artifactId());
            String pom = f.modulePoms().get(d.artifactId());
            if (pom == null) {
                problems.add("sdk-tck depends on " + d.id() + ", which is not a module of this repository");
                continue;
            }
            List<Dep> theirs = deps(parse(pom, d.artifactId() + "/pom.xml"), "dependencies");
            for (Dep t : theirs) {
                if (t.junit() && reachesConsumers(scope(t, managed))) {
                    problems.add(d.artifactId() + "/pom.xml declares " + t.id() + " at " + scope(t, managed)
                            + " scope: it reaches sdk-tck's consumers through " + d.artifactId());
                }
            }
            todo.addAll(theirs);
        }
        for (Dep d : deps(parse(f.bomPom(), "sdk-bom/pom.xml"), "dependencyManagement", "dependencies")) {
            if (d.junit()) {
                problems.add("sdk-bom/pom.xml manages " + d.id() + ": importing the BOM would override the "
                        + "consumer's choice of JUnit (README says the BOM does not manage JUnit)");
            }
        }
        return problems;
    }

    private static final Pattern XML_BLOCK = Pattern.compile("```xml\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern MINIMUM = Pattern.compile("JUnit Jupiter (\\d+)\\.(\\d+) or later");
    private static final Pattern CHECKED = Pattern.compile("checked with ([0-9., and]+?)[,;)]? with");

    private static List<Dep> snippet(String xml, String what) {
        Element e = parse("<snippet>" + xml + "</snippet>", what);
        List<Dep> out = deps(e);
        for (Element d : children(child(e, "dependencies"), "dependency")) {
            out.add(new Dep(text(d, "groupId"), text(d, "artifactId"), text(d, "version"), text(d, "scope"),
                    text(d, "type")));
        }
        for (Dep d : deps(e, "dependencyManagement", "dependencies")) {
            out.add(d);
        }
        return out;
    }

    private static int[] version(String v) {
        String[] p = v.split("[.-]");
        int[] out = new int[3];
        for (int i = 0; i < 3 && i < p.length; i++) {
            out[i] = p[i].matches("\\d+") ? Integer.parseInt(p[i]) : 0;
        }
        return out;
    }

    /** Everything wrong with README's consumer snippet, one line each; empty when it is complete. */
    static List<String> readmeProblems(Published f) {
        List<String> problems = new ArrayList<>();
        String readme = f.readme();
        String projectVersion = text(parse(f.parentPom(), "pom.xml"), "version");
        boolean bomImported = false;
        Matcher blocks = XML_BLOCK.matcher(readme);
        while (blocks.find()) {
            for (Dep d : snippet(blocks.group(1), "a README xml block")) {
                if (d.id().equals("io.edgeloop:sdk-bom") && "import".equals(d.scope()) && "pom".equals(d.type())
                        && projectVersion.equals(d.version())) {
                    bomImported = true;
                }
            }
        }
        if (!bomImported) {
            problems.add("README imports no io.edgeloop:sdk-bom " + projectVersion + " (type pom, scope import), "
                    + "which gives the contract-test snippet's sdk-tck its version");
        }
        int step = readme.indexOf("**Contract tests**");
        if (step < 0) {
            problems.add("README has no \"**Contract tests**\" step");
            return problems;
        }
        String section = readme.substring(step);
        Matcher m = XML_BLOCK.matcher(section);
        if (!m.find()) {
            problems.add("README's Contract tests step has no xml snippet");
            return problems;
        }
        List<Dep> deps = snippet(m.group(1), "README's Contract tests snippet");
        String prose = section.substring(0, m.start()).replaceAll("\\s+", " ");
        Optional<Dep> tck = deps.stream().filter(d -> d.id().equals("io.edgeloop:sdk-tck")).findFirst();
        if (tck.isEmpty()) {
            problems.add("README's Contract tests snippet does not declare io.edgeloop:sdk-tck");
        } else if (!"test".equals(tck.get().scope())) {
            problems.add("README's Contract tests snippet declares sdk-tck at " + Optional.ofNullable(
                    tck.get().scope()).orElse("compile (the default)") + " scope, not test");
        }
        Matcher min = MINIMUM.matcher(prose);
        if (!min.find()) {
            problems.add("README's Contract tests step states no minimum (\"JUnit Jupiter X.Y or later\")");
            return problems;
        }
        int[] minimum = {Integer.parseInt(min.group(1)), Integer.parseInt(min.group(2)), 0};
        Matcher checked = CHECKED.matcher(prose);
        List<String> checkedVersions = checked.find()
                ? Arrays.stream(checked.group(1).split(",| and ")).map(String::trim).filter(s -> !s.isEmpty())
                        .toList()
                : List.of();
        Optional<Dep> junit = deps.stream().filter(d -> d.groupId().equals("org.junit.jupiter")
                && (d.artifactId().equals("junit-jupiter") || d.artifactId().equals("junit-jupiter-engine")))
                .findFirst();
        if (junit.isEmpty()) {
            problems.add("README's Contract tests snippet declares no JUnit Jupiter engine (junit-jupiter or "
                    + "junit-jupiter-engine): sdk-tck brings none, so the consumer's contract tests would not run");
            return problems;
        }
        Dep j = junit.get();
        if (!"test".equals(j.scope())) {
            problems.add("README's snippet declares " + j.id() + " at " + Optional.ofNullable(j.scope())
                    .orElse("compile (the default)") + " scope, not test");
        }
        if (j.version() == null) {
            problems.add("README's snippet declares " + j.id() + " without a version (the BOM does not manage JUnit)");
        } else {
            if (Arrays.compare(version(j.version()), minimum) < 0) {
                problems.add("README's snippet declares " + j.id() + " " + j.version() + ", below the JUnit Jupiter "
                        + min.group(1) + "." + min.group(2) + " README says the kit needs");
            }
            if (!checkedVersions.contains(j.version())) {
                problems.add("README's snippet declares " + j.id() + " " + j.version() + ", not one of the versions "
                        + "README says the kit was checked with " + checkedVersions);
            }
        }
        return problems;
    }

    // ---- the tests ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("the published POMs keep JUnit out of consumers' compile and runtime scopes")
    void publishedPomsLeaveJUnitToTheConsumer() throws IOException {
        List<String> problems = pomProblems(repository());
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    @Test
    @DisplayName("README's contract-test snippet is complete: sdk-tck at test scope and a JUnit engine the kit runs on")
    void readmeSnippetIsComplete() throws IOException {
        List<String> problems = readmeProblems(repository());
        assertEquals(List.of(), problems, String.join("\n", problems));
    }

    @Test
    @DisplayName("the check fails each way the contract can be broken")
    void checkFailsOnBrokenContracts() throws IOException {
        Published f = repository();
        String apiLine = "<artifactId>junit-jupiter-api</artifactId><scope>provided</scope>";
        assertTrue(pomProblems(f.with("tck", apiLine, "<artifactId>junit-jupiter-api</artifactId>")).stream()
                .anyMatch(p -> p.contains("junit-jupiter-api at compile scope")), "api at compile scope");
        assertTrue(pomProblems(f.with("tck", apiLine, "<artifactId>junit-jupiter-api</artifactId><scope>test</scope>"))
                .stream().anyMatch(p -> p.contains("not declare org.junit.jupiter:junit-jupiter-api at provided")),
                "api at test scope (the kit could not compile)");
        assertTrue(pomProblems(f.with("tck", "<artifactId>junit-jupiter</artifactId><scope>test</scope>",
                "<artifactId>junit-jupiter</artifactId><scope>runtime</scope>")).stream()
                .anyMatch(p -> p.contains("junit-jupiter at runtime scope")), "engine at runtime scope");
        assertTrue(pomProblems(f.with("parent", "</dependencyManagement>", "</dependencyManagement>\n<dependencies>"
                + "<dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter-params</artifactId>"
                + "</dependency></dependencies>")).stream().anyMatch(p -> p.contains("the parent every module")),
                "a JUnit dependency every module inherits");
        assertTrue(pomProblems(f.with("bom", "</dependencies>\n  </dependencyManagement>", "<dependency><groupId>"
                + "org.junit</groupId><artifactId>junit-bom</artifactId><version>5.14.4</version><type>pom</type>"
                + "<scope>import</scope></dependency></dependencies>\n  </dependencyManagement>")).stream()
                .anyMatch(p -> p.contains("sdk-bom/pom.xml manages org.junit:junit-bom")), "the BOM managing JUnit");
        Map<String, String> modules = new java.util.HashMap<>(f.modulePoms());
        modules.put("sdk-api", modules.get("sdk-api").replace("<artifactId>junit-jupiter</artifactId><scope>test"
                + "</scope>", "<artifactId>junit-jupiter</artifactId>"));
        assertTrue(pomProblems(new Published(f.tckPom(), f.parentPom(), modules, f.bomPom(), f.readme())).stream()
                .anyMatch(p -> p.contains("through sdk-api")), "JUnit at compile scope in sdk-api");

        String engine = "<dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId>"
                + "<version>5.14.4</version><scope>test</scope></dependency>";
        assertTrue(readmeProblems(f.with("readme", engine, "")).stream()
                .anyMatch(p -> p.contains("declares no JUnit Jupiter engine")), "snippet without JUnit");
        assertTrue(readmeProblems(f.with("readme", engine, engine.replace("5.14.4", "5.9.3"))).stream()
                .anyMatch(p -> p.contains("5.9.3, below the JUnit Jupiter 5.10")), "snippet below the minimum");
        assertTrue(readmeProblems(f.with("readme", engine, engine.replace("5.14.4", "5.13.0"))).stream()
                .anyMatch(p -> p.contains("not one of the versions")), "snippet on an unchecked version");
        assertTrue(readmeProblems(f.with("readme", engine, engine.replace("<version>5.14.4</version>", "")))
                .stream().anyMatch(p -> p.contains("without a version")), "snippet without a JUnit version");
        assertTrue(readmeProblems(f.with("readme", "<artifactId>sdk-tck</artifactId><scope>test</scope>",
                "<artifactId>sdk-tck</artifactId>")).stream().anyMatch(p -> p.contains("sdk-tck at compile (the default) scope")),
                "sdk-tck without test scope");
        assertTrue(readmeProblems(f.with("readme", "<type>pom</type><scope>import</scope>", "<type>pom</type>"))
                .stream().anyMatch(p -> p.contains("imports no io.edgeloop:sdk-bom")), "no BOM import");
    }
}
