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

    /** CPU time in ns by group, and the machine's total CPU time (all cores) over the same period. */
    record Snapshot(long wallNanos, Map<String, Long> byGroup, long machineBusyNanos) {
    }

    static Snapshot snapshot() {
        Map<String, Long> groups = new TreeMap<>();
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        for (int i = 0; i < ids.length; i++) {
            if (infos[i] == null) {
                continue;
            }
            long cpu = THREADS.getThreadCpuTime(ids[i]);
            if (cpu > 0) {
                groups.merge(group(infos[i].getThreadName()), cpu, Long::sum);
            }
        }
        long javaThreads = groups.values().stream().mapToLong(Long::longValue).sum();
        long process = selfNanos();
        if (process > 0) {
            // HotSpot's GC and other native threads are no Java threads: the process's CPU minus theirs
            groups.put("this JVM outside Java threads (GC, …)", Math.max(0, process - javaThreads));
        }
        groups.put("PostgreSQL (all its processes)", postgresNanos());
        return new Snapshot(System.nanoTime(), groups, machineBusyNanos());
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
        if (name.equals("countersign-delivery-writer")) {
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
        List<Map.Entry<String, Long>> deltas = b.byGroup().entrySet().stream()
                .map(e -> Map.entry(e.getKey(), e.getValue() - a.byGroup().getOrDefault(e.getKey(), 0L)))
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
        StringBuilder md = new StringBuilder("| CPU during " + title + " | % of one core |\n|---|---:|\n");
        percent(a, b).forEach((k, v) -> md.append(String.format(Locale.ROOT, "| %s | %.0f |%n", k, v)));
        return md.toString();
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

    private static long postgresNanos() {
        long ticks = 0;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(open + 1, close);
                    if (!comm.startsWith("postgres")) {
                        continue;
                    }
                    String[] f = stat.substring(close + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile, or not readable
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return (long) (ticks * TICK_NANOS);
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
