using System.Buffers;
using System.Text.Json;

namespace RuntimeAgent.Containers;

/// <summary>
/// The one writer of state.json (<see cref="ContainerState.ToJson"/>): the JSON <see cref="ContainerJsonContext"/> would
/// write, byte for byte (ContainerJsonWriterTests compare them for a state with every property set), with a
/// <see cref="Utf8JsonWriter"/>, for the reason Run.ContainerSpecWriter gives: <c>run -d</c> writes both records while its
/// container starts and reads neither. Reading stays with the serializer. A property added to <see cref="ContainerState"/>
/// is added here too, or that test fails.
/// </summary>
internal static class ContainerStateWriter
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    public static byte[] ToUtf8(ContainerState state)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var writer = new Utf8JsonWriter(buffer, Indented)) Write(writer, state);
        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter w, ContainerState s)
    {
        w.WriteStartObject();
        w.WriteString("id", s.Id);
        w.WriteString("name", s.Name);
        w.WriteString("image", s.Image);
        w.WriteString("imageDigest", s.ImageDigest);
        w.WriteStartArray("command");
        for (var i = 0; i < s.Command.Count; i++) w.WriteStringValue(s.Command[i]);
        w.WriteEndArray();
        w.WriteString("created", s.Created);
        w.WriteString("status", s.Status);
        w.WriteNumber("pid", s.Pid);
        w.WriteNumber("pidStartTime", s.PidStartTime);
        w.WriteNumber("monitorPid", s.MonitorPid);
        w.WriteNumber("monitorStartTime", s.MonitorStartTime);
        if (s.ExitCode is { } exitCode) w.WriteNumber("exitCode", exitCode);
        if (s.StartedAt is { } startedAt) w.WriteString("startedAt", startedAt);
        if (s.FinishedAt is { } finishedAt) w.WriteString("finishedAt", finishedAt);
        w.WriteNumber("restartCount", s.RestartCount);
        w.WriteString("restartPolicy", s.RestartPolicy);
        w.WriteNumber("stopSignal", s.StopSignal);
        w.WriteNumber("stopTimeoutSeconds", s.StopTimeoutSeconds);
        w.WriteBoolean("stopRequested", s.StopRequested);
        if (s.Error is not null) w.WriteString("error", s.Error);
        w.WriteString("hostname", s.Hostname);
        w.WriteString("network", s.Network);
        w.WriteStartArray("ports");
        for (var i = 0; i < s.Ports.Count; i++)
        {
            var port = s.Ports[i];
            w.WriteStartObject();
            w.WriteString("hostIp", port.HostIp);
            w.WriteNumber("hostPort", port.HostPort);
            w.WriteNumber("containerPort", port.ContainerPort);
            w.WriteString("protocol", port.Protocol);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("logMaxBytes", s.LogMaxBytes);
        if (s.Healthcheck is { } check)
        {
            w.WriteStartObject("healthcheck");
            w.WriteStartArray("Test");
            foreach (var word in check.Test) w.WriteStringValue(word);
            w.WriteEndArray();
            if (check.Interval is { } interval) w.WriteNumber("Interval", interval);
            if (check.Timeout is { } timeout) w.WriteNumber("Timeout", timeout);
            if (check.StartPeriod is { } startPeriod) w.WriteNumber("StartPeriod", startPeriod);
            if (check.StartInterval is { } startInterval) w.WriteNumber("StartInterval", startInterval);
            if (check.Retries is { } retries) w.WriteNumber("Retries", retries);
            w.WriteEndObject();
        }
        w.WriteString("healthOnFailure", s.HealthOnFailure);
        if (s.Health is { } health)
        {
            w.WriteStartObject("health");
            w.WriteString("status", health.Status);
            w.WriteNumber("failingStreak", health.FailingStreak);
            w.WriteStartArray("log");
            foreach (var result in health.Log)
            {
                w.WriteStartObject();
                w.WriteString("start", result.Start);
                w.WriteString("end", result.End);
                w.WriteNumber("exitCode", result.ExitCode);
                w.WriteString("output", result.Output);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }
}
