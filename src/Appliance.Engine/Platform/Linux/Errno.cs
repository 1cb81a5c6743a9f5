using System.Runtime.InteropServices;
using Appliance.Engine.Transport;
using Tmds.Linux;

namespace Appliance.Engine.Platform.Linux;

/// <summary>Turns a failed libc call into a <see cref="PlatformException"/> that names the call and errno.</summary>
internal static class Errno
{
    /// <summary>Reads errno as captured by the last P/Invoke (Tmds.LibC marshals with SetLastError).</summary>
    public static int Last => LibC.errno;

    public static PlatformException Error(string call) => Error(call, Last);

    public static PlatformException Error(string call, int errno) =>
        new(call, errno, Marshal.GetPInvokeErrorMessage(errno));

    /// <summary>Returns <paramref name="result"/> or throws when it is negative (libc's failure convention).</summary>
    public static int Check(int result, string call)
    {
        if (result < 0)
        {
            throw Error(call);
        }
        return result;
    }
}
