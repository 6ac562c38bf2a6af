package org.countersign.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where the machine's CPU went during a phase: this JVM's threads grouped by role (from their names),
 * PostgreSQL's processes, and everything else on the machine (other users of the shared box: the noise).
 * Linux only ({@code /proc}); elsewhere only the JVM's threads are accounted.
 */
final class CpuAccount {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** USER_HZ: the unit of /proc's CPU times. */
    private static final double TICK_NANOS = 1e9 / 100;

    /**
     * CPU time in ns of each thread or process ("group\0id"), of this whole JVM process, and of the whole
     * machine (all cores), at one moment. Deltas are taken per thread and per process, so that one that
     * ended between two snapshots does not take its whole past with it.
     */
    record Snapshot(long wallNanos, Map<String, Long> entities, long processNanos, long machineBusyNanos) {
    }

    private static final String JVM_REST = "this JVM: threads that ended during the phase, other native threads";

    static Snapshot snapshot() {
        Map<String, Long> entities = new java.util.HashMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(ids[i]);
            if (cpu > 0) {
                entities.put(group(infos[i].getThreadName()) + "\0java" + ids[i], cpu);
            }
        }
        // HotSpot's own threads (GC, JIT compilers, VM thread) are no Java threads: read from /proc
        entities.putAll(nativeThreadNanos());
        entities.putAll(processNanos("postgres", null));
        entities.putAll(processNanos("pgbench", "pgbench client"));
        // wrk runs to its end and is reaped by this JVM: its CPU is in this process's children's times
        entities.put("load generator (wrk)\0children", reapedChildrenNanos());
        entities.put("load generator (bench clients)\0ended", LoadGenerator.endedClientCpuNanos());
        return new Snapshot(System.nanoTime(), entities, selfNanos(), machineBusyNanos());
    }

    /** CPU used between {@code a} and {@code b} in ns, by group. */
    static Map<String, Long> deltas(Snapshot a, Snapshot b) {
        Map<String, Long> groups = new TreeMap<>();
        long jvm = 0;
        for (Map.Entry<String, Long> e : b.entities().entrySet()) {
            long d = e.getValue() - a.entities().getOrDefault(e.getKey(), 0L);
            if (d <= 0) {
                continue;
            }
            String key = e.getKey();
            groups.merge(key.substring(0, key.indexOf('\0')), d, Long::sum);
            if (key.contains("\0java") || key.contains("\0task") || key.contains("\0ended")) {
                jvm += d;
            }
        }
        if (b.processNanos() > 0) {
            groups.put(JVM_REST, Math.max(0, b.processNanos() - a.processNanos() - jvm));
        }
        return groups;
    }

    /** What a thread does, from its name. */
    static String group(String name) {
        if (name.startsWith("bench-")) {
            return "load generator (bench clients)";
        }
        if (name.startsWith("HttpClient-")) {
            return "JDK HttpClient selectors (load generator, simulator's webhooks, …)";
        }
        if (name.startsWith("vert.x-eventloop")) {
            return "service: Vert.x event loops (HTTP)";
        }
        if (name.startsWith("executor-thread")) {
            return "service: request worker threads";
        }
        if (name.startsWith("countersign-delivery-writer")) {
            return "service: delivery writer (group commit)";
        }
        if (name.startsWith("countersign-reconcile")) {
            return "service: reconciliation";
        }
        if (name.startsWith("countersign-")) {
            return "service: delivery and action workers";
        }
        if (name.startsWith("agroal") || name.contains("Agroal")) {
            return "service: connection pool";
        }
        if (name.startsWith("gitlab-sim") || name.startsWith("HTTP-Dispatcher") || name.startsWith("pool-")) {
            return "GitLab simulator";
        }
        if (name.startsWith("C1 ") || name.startsWith("C2 ") || name.contains("Compiler")) {
            return "JIT compilers";
        }
        if (name.startsWith("GC ") || name.startsWith("G1 ") || name.contains("GC")) {
            return "GC";
        }
        return "JVM, other threads";
    }

    /** The CPU used between {@code a} and {@code b}, as % of one core, by group, biggest first, with "other processes". */
    static Map<String, Double> percent(Snapshot a, Snapshot b) {
        double wall = b.wallNanos() - a.wallNanos();
        Map<String, Double> out = new LinkedHashMap<>();
        long accounted = 0;
        List<Map.Entry<String, Long>> deltas = deltas(a, b).entrySet().stream()
                .filter(e -> e.getValue() > 0)
                .sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).toList();
        for (Map.Entry<String, Long> e : deltas) {
            out.put(e.getKey(), 100.0 * e.getValue() / wall);
            accounted += e.getValue();
        }
        long machine = b.machineBusyNanos() - a.machineBusyNanos();
        if (machine > 0) {
            // machine busy time not spent in this JVM's threads or PostgreSQL: other processes on the box
            out.put("other processes on the machine (noise)", Math.max(0, 100.0 * (machine - accounted) / wall));
            out.put("machine total (of " + Runtime.getRuntime().availableProcessors() * 100 + " %)", 100.0 * machine / wall);
        }
        return out;
    }

    static String markdown(String title, Snapshot a, Snapshot b) {
        return markdown(title, a, b, Double.NaN);
    }

    /**
     * The CPU table of a phase; with {@code perSecond} (requests or transactions per second of the phase),
     * also the CPU time per request in µs — less sensitive to other processes on the machine than the
     * throughput itself.
     */
    static String markdown(String title, Snapshot a, Snapshot b, double perSecond) {
        boolean per = !Double.isNaN(perSecond) && perSecond > 0;
        StringBuilder md = new StringBuilder("| CPU during " + title + " | % of one core |" + (per ? " µs per request |" : "")
                + "\n|---|---:|" + (per ? "---:|" : "") + "\n");
        percent(a, b).forEach((k, v) -> {
            if (v >= 0.5 || k.startsWith("machine")) {
                md.append(String.format(Locale.ROOT, "| %s | %.0f |", k, v));
                if (per) {
                    md.append(k.startsWith("other processes") || k.startsWith("machine") ? " |"
                            : String.format(Locale.ROOT, " %.0f |", v * 1e4 / perSecond));
                }
                md.append('\n');
            }
        });
        return md.toString();
    }

    /** Sum of the CPU (% of one core) of the groups whose name starts with one of {@code prefixes}. */
    static double sum(Map<String, Double> percent, String... prefixes) {
        return percent.entrySet().stream().filter(e -> java.util.Arrays.stream(prefixes).anyMatch(e.getKey()::startsWith))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static long selfNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (long) ((Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU of the child processes this JVM has waited for ({@code cutime} + {@code cstime} of
     * /proc/self/stat): a child that ran a whole phase and exited (wrk) is accounted without sampling it
     * before it ends. pgbench, sampled while it runs, is waited for only after the phase's last snapshot.
     */
    private static long reapedChildrenNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (long) ((Long.parseLong(f[13]) + Long.parseLong(f[14])) * TICK_NANOS);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU of HotSpot's GC, JIT compiler and VM threads of this process, by thread ("kind\0task<tid>"). */
    private static Map<String, Long> nativeThreadNanos() {
        Map<String, Long> out = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    String stat = Files.readString(t.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String kind = comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "GC"
                            : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "JIT compilers"
                            : comm.startsWith("VM Thread") ? "JVM: VM thread (safepoints)" : null;
                    if (kind == null) {
                        continue;
                    }
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.put(kind + "\0task" + t.getFileName(), (long) ((Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS));
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** CPU of every process whose name starts with {@code name}, by process ("group\0pid<pid>"). */
    private static Map<String, Long> processNanos(String name, String group) {
        Map<String, Long> out = new java.util.HashMap<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String pid = p.getFileName().toString();
                if (pid.isEmpty() || !Character.isDigit(pid.charAt(0))) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(open + 1, close);
                    if (!comm.startsWith(name)) {
                        continue;
                    }
                    String[] f = stat.substring(close + 2).split(" ");
                    // utime, stime (fields 14, 15)
                    out.put((group != null ? group : postgresGroup(p)) + "\0pid" + pid, (long) ((Long.parseLong(f[11]) + Long.parseLong(f[12])) * TICK_NANOS));
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not readable
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return out;
    }

    /** Databases whose backends count as the benchmark's own (the rest of PostgreSQL's clients are noise). */
    static final java.util.Set<String> OWN_DATABASES = java.util.Set.of(BenchWorld.DATABASE, BenchWorld.DATABASE + "_pgbench");

    /**
     * What a PostgreSQL process works for, from its title ({@code postgres: 15/main: USER DATABASE HOST(PORT)
     * ACTIVITY} for a client backend): the benchmark's databases, another database (someone else's tests:
     * noise), or the whole server (WAL writer, checkpointer, autovacuum…).
     */
    private static String postgresGroup(Path proc) {
        try {
            String title = new String(Files.readAllBytes(proc.resolve("cmdline")), java.nio.charset.StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
            String[] parts = title.split("\\s+");
            // postgres: 15/main: postgres cs_bench_bench 127.0.0.1(34550) idle
            if (parts.length >= 5 && parts[0].equals("postgres:") && parts[4].contains("(")) {
                return OWN_DATABASES.contains(parts[3]) ? "PostgreSQL: backends of the benchmark's databases"
                        : "other processes: PostgreSQL backends of other databases";
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        return "PostgreSQL: server processes (WAL writer, checkpointer, autovacuum…)";
    }

    /** Busy CPU time of the whole machine (all cores) from /proc/stat; 0 where there is none. */
    private static long machineBusyNanos() {
        try {
            String cpu = Files.readAllLines(Path.of("/proc/stat")).get(0);
            String[] f = cpu.trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7}) { // user, nice, system, irq, softirq (not idle, iowait, steal, guest)
                busy += Long.parseLong(f[i]);
            }
            return (long) (busy * TICK_NANOS);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
