using System.Reflection;
using System.Text;

namespace Helmholtz.Tests;

/// <summary>
/// The library's public surface is a reviewed change: every public type and member of the Helmholtz assembly is
/// listed in TestData/api/Helmholtz.txt. To accept a deliberate change, run the tests with HELMHOLTZ_UPDATE_GOLDEN=1
/// and review the diff of that file.
/// </summary>
public sealed class PublicApiTests
{
    [Fact]
    public void PublicApiMatchesSnapshot()
    {
        string actual = Describe(typeof(Helmholtz.Tensors.Rng).Assembly);
        const string Name = "Helmholtz.txt";
        if (Environment.GetEnvironmentVariable("HELMHOLTZ_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(RepositoryFiles.Path("tests/Helmholtz.Tests/TestData/api/" + Name), actual);
            return;
        }

        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "api", Name));
        Assert.Equal(expected, actual);
    }

    /// <summary>The library speaks no command line: no flag name and no "command-line" in its source (code, messages, docs).</summary>
    [Fact]
    public void LibrarySpeaksNoCommandLine()
    {
        string root = RepositoryFiles.Path("src/Helmholtz");
        var flag = new System.Text.RegularExpressions.Regex(@"(?<![\w-])--[a-z][a-z-]*|command[- ]line", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var found = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            .Where(x => flag.IsMatch(x.line))
            .Select(x => $"{Path.GetRelativePath(root, x.f)}:{x.i + 1}: {x.line.Trim()}")
            .ToArray();
        Assert.True(found.Length == 0, "Command-line vocabulary in the library:\n" + string.Join('\n', found));
    }

    /// <summary>One line per public type and per public or protected member, sorted, in C#-like notation.</summary>
    internal static string Describe(Assembly assembly)
    {
        var text = new StringBuilder();
        foreach (var type in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            text.Append(TypeHeader(type)).Append('\n');
            var members = new List<string>();
            const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(Flags))
            {
                if (Describe(member) is { } line)
                {
                    members.Add("  " + line);
                }
            }

            members.Sort(StringComparer.Ordinal);
            foreach (var line in members)
            {
                text.Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string TypeHeader(Type type)
    {
        string kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class"
            : (type.IsSealed ? "sealed " : type.IsAbstract ? "abstract " : "") + "class";
        var bases = new List<string>();
        if (type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum))
        {
            bases.Add(Name(b));
        }

        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(Name).Order(StringComparer.Ordinal));
        return $"{kind} {Name(type)}" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : "");
    }

    private static string? Describe(MemberInfo member)
    {
        if (member.Name.Contains('<', StringComparison.Ordinal))
        {
            return null; // compiler-generated (a record's <Clone>$)
        }

        switch (member)
        {
            case ConstructorInfo c when Visible(c):
                return $"{Access(c)}{(c.IsStatic ? "static " : "")}.ctor({Parameters(c)})";
            case MethodInfo m when Visible(m) && !m.IsSpecialName:
                return $"{Access(m)}{Modifiers(m)}{Name(m.ReturnType)} {m.Name}{GenericArguments(m)}({Parameters(m)})";
            case MethodInfo m when Visible(m) && m.Name.StartsWith("op_", StringComparison.Ordinal):
                return $"{Access(m)}static {Name(m.ReturnType)} {m.Name}({Parameters(m)})";
            case PropertyInfo p:
                var accessors = new[] { p.GetMethod, p.SetMethod }.Where(a => a is not null && Visible(a)).ToArray();
                if (accessors.Length == 0)
                {
                    return null;
                }

                bool init = p.SetMethod?.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") == true;
                string parts = string.Join(" ", accessors.Select(a => a == p.GetMethod ? "get;" : init ? "init;" : "set;"));
                var index = p.GetIndexParameters();
                string name = index.Length == 0 ? p.Name : $"this[{string.Join(", ", index.Select(i => Name(i.ParameterType)))}]";
                return $"{Access(accessors[0]!)}{Modifiers(accessors[0]!)}{Name(p.PropertyType)} {name} {{ {parts} }}";
            case FieldInfo f when (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName:
                return f.IsLiteral ? $"const {Name(f.FieldType)} {f.Name} = {f.GetRawConstantValue()}"
                    : $"{(f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{Name(f.FieldType)} {f.Name}";
            case EventInfo e when e.AddMethod is { } add && Visible(add):
                return $"event {Name(e.EventHandlerType!)} {e.Name}";
            default:
                return null;
        }
    }

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static string Access(MethodBase m) => m.IsPublic ? "" : "protected ";

    private static string Modifiers(MethodInfo m) =>
        m.IsStatic ? "static " : m.IsAbstract && !m.DeclaringType!.IsInterface ? "abstract " : m.IsVirtual && !m.IsFinal && !m.DeclaringType!.IsInterface
            ? (m.GetBaseDefinition() != m ? "override " : "virtual ") : "";

    private static string GenericArguments(MethodInfo m) =>
        m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Parameters(MethodBase m) => string.Join(", ", m.GetParameters().Select(p =>
        (p.IsOut ? "out " : p.ParameterType.IsByRef ? (p.IsIn ? "in " : "ref ") : "")
        + Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType) + " " + p.Name
        + (p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : "")));

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(int)] = "int", [typeof(long)] = "long",
        [typeof(uint)] = "uint", [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double",
        [typeof(string)] = "string", [typeof(object)] = "object", [typeof(char)] = "char", [typeof(short)] = "short",
    };

    private static string Name(Type t)
    {
        if (Keywords.TryGetValue(t, out var keyword))
        {
            return keyword;
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        }

        if (t.IsByRef || t.IsPointer)
        {
            return Name(t.GetElementType()!) + (t.IsPointer ? "*" : "&");
        }

        if (Nullable.GetUnderlyingType(t) is { } inner)
        {
            return Name(inner) + "?";
        }

        string name = t.IsGenericParameter ? t.Name : (t.IsNested ? Name(t.DeclaringType!) + "." : (t.Namespace is { } ns ? ns + "." : "")) + t.Name;
        if (t.IsGenericType)
        {
            name = name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }
}
