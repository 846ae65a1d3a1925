using System.Runtime.InteropServices;
using System.Text;

namespace RuntimeAgent.Run;

/// <summary>A NUL-terminated UTF-8 copy of a string in native memory, for calls that must not allocate later (execve).</summary>
internal sealed unsafe class Utf8Z : IDisposable
{
    public Utf8Z(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Pointer = (byte*)NativeMemory.Alloc((nuint)length + 1);
        Encoding.UTF8.GetBytes(value, new Span<byte>(Pointer, length));
        Pointer[length] = 0;
    }

    public byte* Pointer { get; private set; }

    public void Dispose()
    {
        NativeMemory.Free(Pointer);
        Pointer = null;
    }
}

/// <summary>A NULL-terminated array of C strings (argv, envp) in native memory.</summary>
internal sealed unsafe class Utf8ZArray : IDisposable
{
    private readonly Utf8Z[] _items;

    public Utf8ZArray(IReadOnlyList<string> values)
    {
        _items = values.Select(v => new Utf8Z(v)).ToArray();
        Pointer = (byte**)NativeMemory.Alloc((nuint)(_items.Length + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < _items.Length; i++) Pointer[i] = _items[i].Pointer;
        Pointer[_items.Length] = null;
    }

    public byte** Pointer { get; private set; }

    public void Dispose()
    {
        foreach (var item in _items) item.Dispose();
        NativeMemory.Free(Pointer);
        Pointer = null;
    }
}
