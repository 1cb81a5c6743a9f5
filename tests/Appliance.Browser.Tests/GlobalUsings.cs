global using Appliance.Browser.Tests.Infrastructure;
global using Microsoft.Extensions.DependencyInjection;
global using Microsoft.Playwright;
