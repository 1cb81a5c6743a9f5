using Appliance.Lab;

namespace Appliance.IntegrationTests.Lab;

/// <summary>
/// Every test class that builds a <see cref="NetworkLab"/> joins this collection, so lab tests
/// run one at a time. Labs are isolated from each other (own namespaces, random subnet), so this
/// is about time, not correctness: the CI machine has 2 cores, and failover assertions carry only
/// about a second of slack over ucarp's coarse timing (docs/namespace-lab.md, 2) while each appliance start
/// costs a dotnet startup. Two labs racing for the CPU would turn that slack into flakes. Tests
/// without a lab still run beside this collection (xunit.runner.json: maxParallelThreads 2).
/// </summary>
[CollectionDefinition(Name)]
public sealed class LabCollection
{
    public const string Name = "NetworkLab";
}
