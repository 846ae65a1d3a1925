using System.Formats.Tar;
using Registry.Tests.Conformance;

namespace Registry.Tests.Build;

/// <summary>
/// Recipes written for the buildah comparison: each one is built by `runtime-agent build` and by `buildah bud`
/// from the same context. Every context also gets the host's busybox-static as ./busybox, so no base image is
/// downloaded: stages start FROM scratch and install busybox (<see cref="Base"/>).
/// Left out because buildah 1.28 (Debian 12) does not know them, so there is nothing to compare with:
/// heredocs, COPY --parents/--exclude/--link (MultiStageBuildTests covers them against expected trees).
/// </summary>
public static class BuildCorpus
{
    public sealed record Recipe(string Name, IReadOnlyDictionary<string, string> Files, string[] Arguments)
    {
        /// <summary>Writes binary context files (archives) into the context directory before both builds.</summary>
        public Func<string, Task>? Prepare { get; init; }

        public override string ToString() => Name;
    }

    private const string Base = """
        FROM scratch AS base
        COPY busybox /bin/busybox
        RUN ["/bin/busybox", "--install", "-s", "/bin"]
        """;

    private static Recipe R(string name, string dockerfile, Dictionary<string, string>? files = null, params string[] arguments)
    {
        var all = new Dictionary<string, string>(files ?? [], StringComparer.Ordinal) { ["Dockerfile"] = dockerfile };
        return new Recipe(name, all, arguments);
    }

    public static readonly IReadOnlyList<Recipe> All =
    [
        R("copy-dot", Base + "\nCOPY . /app/\nRUN ls -R /app > /listing", new() { ["a.txt"] = "a\n", ["sub/b"] = "b\n", ["sub/deeper/c.sh"] = "#!/bin/sh\n" }),
        R("multi-stage-copy-from", Base + """

            FROM base AS builder
            RUN mkdir -p /out/bin /out/share && echo tool > /out/bin/tool && chmod 755 /out/bin/tool \
                && echo data > /out/share/data && chown -R 1000:1000 /out/share && ln -s tool /out/bin/alias
            FROM base
            COPY --from=builder /out/ /usr/local/
            COPY --from=builder /out/share/data /opt/data
            CMD ["/usr/local/bin/alias"]
            """),
        R("copy-from-index-and-unused-stage", Base + """

            FROM base AS unused
            RUN echo never > /never
            FROM base AS second
            RUN echo second > /second
            FROM base
            COPY --from=2 /second /copied-from-index
            COPY --from=0 /bin/busybox /busybox-again
            """),
        R("target-stage", Base + """

            FROM base AS wanted
            RUN echo wanted > /wanted
            LABEL stage=wanted
            FROM base AS later
            RUN echo later > /later
            """, null, "--target", "wanted"),
        R("chown-chmod", Base + """

            RUN mkdir -p /etc && echo 'app:x:1000:1000::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1000:' >> /etc/group
            COPY --chown=app:app files/ /home/app/
            COPY --chown=10:20 --chmod=640 files/one /secret
            COPY --chmod=755 files/two /usr/bin/two
            """, new() { ["files/one"] = "1\n", ["files/two"] = "2\n", ["files/dir/three"] = "3\n" }),
        R("dockerignore-exceptions", Base + "\nCOPY . /ctx/", new()
        {
            [".dockerignore"] = "*.log\n!keep.log\nbuild/\n!build/artifact\n**/*.tmp\nDockerfile\n",
            ["a.log"] = "x\n", ["keep.log"] = "kept\n", ["build/junk"] = "j\n", ["build/artifact"] = "art\n",
            ["src/x.tmp"] = "t\n", ["src/main.c"] = "int main(){}\n",
        }),
        R("shell-change", Base + """

            SHELL ["/bin/sh", "-ec"]
            RUN echo "$0 $-" > /shell-flags
            SHELL ["/bin/sh", "-xc"]
            RUN echo traced > /traced
            RUN ["/bin/sh", "-c", "echo exec form ignores SHELL > /exec"]
            ENTRYPOINT ["/bin/sh"]
            """),
        R("healthcheck-stopsignal", Base + """

            HEALTHCHECK --interval=5s --timeout=3s --start-period=1m --retries=2 CMD wget -q -O- localhost || exit 1
            STOPSIGNAL SIGINT
            FROM base
            HEALTHCHECK CMD ["/bin/true"]
            STOPSIGNAL 9
            """),
        R("onbuild-base", Base + """

            FROM base AS parent
            ONBUILD RUN echo triggered > /triggered
            ONBUILD COPY trigger.txt /from-trigger.txt
            FROM parent
            RUN cat /triggered /from-trigger.txt > /both
            """, new() { ["trigger.txt"] = "copied by a trigger\n" }),
        R("args-and-build-args", """
            ARG FIRST=scratch
            ARG VERSION=1.0
            FROM $FIRST
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            ARG VERSION
            ARG OTHER=default
            ENV FROM_ARG=$VERSION
            RUN echo "$VERSION $OTHER" > /args
            """, null, "--build-arg", "OTHER=given"),
        R("platform-args", """
            FROM --platform=$BUILDPLATFORM scratch
            COPY busybox /bin/busybox
            RUN ["/bin/busybox", "--install", "-s", "/bin"]
            ARG TARGETARCH
            ARG TARGETOS
            RUN echo "$TARGETOS/$TARGETARCH" > /platform
            """),
        R("whiteouts-and-opaque-dirs", Base + """

            RUN mkdir -p /data/keep /data/gone /opaque/sub && echo 1 > /data/keep/f && echo 2 > /data/gone/f \
                && echo 3 > /opaque/sub/old && echo x > /removed
            RUN rm -rf /data/gone /removed /opaque && mkdir -p /opaque && echo new > /opaque/new
            """),
        R("metadata", Base + """

            ENV A=1 B="two words"
            ENV C=${A}-suffix
            # WORKDIR of a missing directory: buildah (and Docker) create it, we do not yet (see the build README).
            RUN mkdir -p /srv/app/sub
            WORKDIR /srv/app
            WORKDIR sub
            USER 1000:1000
            EXPOSE 80 443/tcp 53/udp
            VOLUME ["/data", "/logs"]
            LABEL org.example.name="corpus" org.example.version=1
            ENTRYPOINT ["/bin/sh", "-c"]
            CMD ["echo $A"]
            """),
        R("add-local-files", Base + """

            ADD plain.txt /opt/
            ADD dir /opt/dir
            ADD plain.txt /opt/renamed.txt
            """, new() { ["plain.txt"] = "plain\n", ["dir/inner.txt"] = "inner\n" }),
        R("links-and-special-bits", Base + """

            RUN mkdir -p /l && echo target > /l/file && ln /l/file /l/hard && ln -s file /l/soft && ln -s /nowhere /l/dangling \
                && cp /bin/busybox /l/suid && chmod 4755 /l/suid && mkdir -m 1777 /l/sticky && mkfifo /l/fifo
            """),
        R("stage-chain", Base + """

            FROM base AS one
            RUN echo one > /one
            FROM one AS two
            RUN echo two > /two
            FROM two
            RUN cat /one /two > /three
            """),
        R("copy-into-symlinked-dir", Base + """

            RUN mkdir -p /usr/lib/app && ln -s usr/lib /lib
            COPY conf.txt /lib/app/
            COPY conf.txt /etc/
            """, new() { ["conf.txt"] = "c\n" }),
        // Mount targets sit at the root: BuildKit removes the parents it made for a mount point, buildah 1.28 keeps them.
        R("run-mounts-tmp-and-workdir", Base + """

            FROM base AS builder
            RUN mkdir -p /out && echo from-builder > /out/tool
            FROM base
            RUN --mount=type=cache,target=/cache-thing,id=corpus-thing echo cached > /cache-thing/x && cp /cache-thing/x /from-cache
            RUN --mount=type=bind,from=builder,source=/out,target=/b cp /b/tool /tool
            RUN --mount=type=bind,source=data,target=/ctx cat /ctx/x.txt > /x-copy
            RUN --mount=type=tmpfs,target=/scratch echo t > /scratch/t && cat /scratch/t > /t-copy
            RUN mkdir -p /tmp && echo left > /tmp/left-by-run
            WORKDIR /new/dir/here
            RUN pwd > /pwd.txt
            """, new() { ["data/x.txt"] = "ctx-x\n" }),
        R("add-archives", Base + """

            RUN mkdir -p /opt/existing && chmod 700 /opt/existing
            ADD app.tar /plain/
            ADD app.tar.gz /opt/existing/
            ADD app.tar.bz2 /bz2
            ADD app.tar.xz not-a-tar.gz /both/
            """) with { Prepare = WriteArchivesAsync },
        // The C-style multi-stage build: a compiler stage (the host's gcc, cut to what a static compile opens) builds a
        // static binary that a scratch image runs.
        R("c-toolchain-multi-stage", Base + """

            FROM base AS compiler
            COPY toolchain/ /
            WORKDIR /src
            COPY hello.c .
            RUN mkdir -p /out && mkdir -m 1777 /tmp && gcc -static -O2 -o /out/hello hello.c
            FROM scratch
            COPY --from=compiler /out/hello /hello
            RUN ["/hello", "/greeting"]
            CMD ["/hello", "/dev/stdout"]
            """, new()
        {
            ["hello.c"] = """
                #include <stdio.h>
                int main(int argc, char **argv) {
                    FILE *out = fopen(argc > 1 ? argv[1] : "/dev/stdout", "w");
                    if (!out) return 1;
                    fputs("hello from a static C binary\n", out);
                    return fclose(out) != 0;
                }
                """,
        }) with { Prepare = context => HostToolchain.CopyAsync(Path.Combine(context, "toolchain")) },
    ];

    // A tar with a 0750 directory, a setuid file owned by 1000 and a symlink, and its gzip/bzip2/xz forms.
    private static async Task WriteArchivesAsync(string context)
    {
        var tar = Path.Combine(context, "app.tar");
        await using (var file = File.Create(tar))
        await using (var writer = new TarWriter(file, TarEntryFormat.Pax))
        {
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "pkg/") { Mode = (UnixFileMode)0x1E8 });
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "pkg/bin/") { Mode = (UnixFileMode)0x1ED });
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "pkg/bin/tool")
            {
                Mode = (UnixFileMode)0x9ED, Uid = 1000, Gid = 1000, DataStream = new MemoryStream("tool\n"u8.ToArray()),
            });
            await writer.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "pkg/link") { LinkName = "bin/tool", Mode = (UnixFileMode)0x1FF });
        }
        foreach (var (tool, extension) in new[] { ("gzip", "gz"), ("bzip2", "bz2"), ("xz", "xz") })
            await ExternalTool.RunAsync("/bin/sh", ["-c", $"{tool} -c '{tar}' > '{tar}.{extension}'"]);
        await ExternalTool.RunAsync("/bin/sh", ["-c", $"echo not a tar | gzip -c > '{context}/not-a-tar.gz'"]);
    }
}
