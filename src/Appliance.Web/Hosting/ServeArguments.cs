namespace Appliance.Web.Hosting;

/// <summary>What `appliance serve` takes on its command line; null means not given (environment, then defaults).</summary>
public sealed record ServeArguments(string? Urls = null, string? DataDirectory = null)
{
    /// <summary>Parses "--urls X --data DIR" (also "--urls=X"); false with a message for anything else.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out ServeArguments result, out string? error)
    {
        result = new ServeArguments();
        error = null;
        string? urls = null;
        string? data = null;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            if (name is not ("--urls" or "--data"))
            {
                error = $"serve: unknown argument '{args[i]}'. Usage: appliance serve [--urls URLS] [--data DIR]";
                return false;
            }
            var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
            if (string.IsNullOrWhiteSpace(value))
            {
                error = $"serve: {name} needs a value.";
                return false;
            }
            if (name == "--urls")
            {
                urls = value;
            }
            else
            {
                data = value;
            }
        }
        if (urls is not null)
        {
            foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                {
                    error = $"serve: --urls: '{url}' is not an http:// or https:// URL.";
                    return false;
                }
            }
        }
        result = new ServeArguments(urls, data);
        return true;
    }
}
