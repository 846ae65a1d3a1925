# The registry server image: build with the .NET 10 SDK, run on the ASP.NET runtime.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish Registry.Api -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl for the container health check (GET /readyz)
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app .
ENV Urls=http://0.0.0.0:5000 \
    Registry__DataDirectory=/data
VOLUME /data
EXPOSE 5000
ENTRYPOINT ["dotnet", "Registry.Api.dll"]
