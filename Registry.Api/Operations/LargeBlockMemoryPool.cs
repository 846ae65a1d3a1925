using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Registry.Api.Operations;

/// <summary>
/// The memory pool of Kestrel's socket connections, with 64 KiB blocks instead of Kestrel's 4 KiB ones.
/// A connection receives into one block per <c>recv</c> call, so with 4 KiB blocks a 100 MiB blob push
/// costs ~50,000 syscalls (measured with strace: ~2 KiB per recvfrom); with 64 KiB blocks, a sixteenth of
/// that. Blocks are pinned (allocated on the pinned object heap) because sockets pin them for every I/O.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 * 1024;
    // Idle blocks kept for reuse (16 MiB); beyond that returned blocks are left to the GC.
    private const int MaxPooledBlocks = 256;

    private readonly ConcurrentQueue<Block> idle = new();
    private int idleCount;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        if (idle.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref idleCount);
            block.Rented();
            return block;
        }
        return new Block(this);
    }

    private void Return(Block block)
    {
        if (Interlocked.Increment(ref idleCount) <= MaxPooledBlocks) idle.Enqueue(block);
        else Interlocked.Decrement(ref idleCount);
    }

    protected override void Dispose(bool disposing)
    {
        idle.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        private int returned;

        public Memory<byte> Memory => array;

        public void Rented() => returned = 0;

        public void Dispose()
        {
            // Kestrel returns each block once; a second Dispose must not put it in the pool twice.
            if (Interlocked.Exchange(ref returned, 1) == 0) pool.Return(this);
        }
    }
}

/// <summary>Gives Kestrel's transport a <see cref="LargeBlockMemoryPool"/> (registered in DI, where Kestrel looks).</summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}
